"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { API_KEY_MESSAGES, createApiKey, MAX_KEY_NAME_LENGTH, revokeApiKey } from "@/lib/verify-api/keys";

const PAGE = "/team/developers";

// Every action names its team: the lib function checks the actor's role in that team again.
const team = z.object({ teamId: z.uuid({ error: "This team could not be found. Reload the page and try again." }) });

/** What the page shows once, right after creating: the whole key. Never stored, never logged. */
export type CreatedKey = { key: string; name: string; prefix: string };

/**
 * Creates a key after a fresh second factor of the creator's own (a password alone would
 * otherwise mint keys that send messages and spend the team's credits).
 */
export const createApiKeyAction = formAction(
  { auth: "teamStepUp", schema: team.extend({ name: z.string().trim().min(1, { error: API_KEY_MESSAGES.NAME }).max(MAX_KEY_NAME_LENGTH, { error: API_KEY_MESSAGES.NAME }) }) },
  async ({ teamId, name }, user): Promise<ActionState<CreatedKey>> => {
    const result = await createApiKey(teamId, user, name, await requestMeta());
    if (!result.ok) return refusalState(result, result.code === "NAME" ? "name" : undefined);
    revalidatePath(PAGE);
    return { ok: true, data: { key: result.key, name: result.apiKey.name, prefix: result.apiKey.prefix } };
  },
);

/**
 * Revokes a key at once, after a fresh second factor too: revoking is how a stolen session
 * would cut a team's product off from its codes (every key, one click each).
 */
export const revokeApiKeyAction = formAction(
  { auth: "teamStepUp", schema: team.extend({ keyId: z.uuid({ error: API_KEY_MESSAGES.NOT_FOUND }) }) },
  async ({ teamId, keyId }, user): Promise<ActionState> => {
    const result = await revokeApiKey(teamId, user, keyId, await requestMeta());
    if (!result.ok) return refusalState(result);
    revalidatePath(PAGE);
    return { ok: true };
  },
);
