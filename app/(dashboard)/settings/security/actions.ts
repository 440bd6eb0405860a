"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { validatedActionWithStepUp, validatedActionWithUser, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { revokeOtherSessions, revokeUserSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { regenerateRecoveryCodes, removeFactor, renameFactor, setDefaultFactor, turnOffTwoFactor } from "@/lib/factors/manage";
import { revokeTrustedDevices } from "@/lib/factors/trusted-devices";

const PAGE = "/settings/security";
const factorId = z.object({ factorId: z.uuid("Choose a method.") });

export const signOutOtherSessionsAction = validatedActionWithUser(z.object({}), async (_input, user): Promise<ActionState<{ count: number }>> => {
  const count = await revokeOtherSessions(user.id, user.sessionId, await requestMeta());
  revalidatePath(PAGE);
  return { ok: true, data: { count } };
});

/** "Sign out" beside one session in the list: only the user's own sessions can be named. */
export const signOutSessionAction = validatedActionWithUser(
  z.object({ sessionId: z.uuid("Choose a session.") }),
  async ({ sessionId }, user): Promise<ActionState> => {
    const ended = await revokeUserSession(user.id, sessionId, await requestMeta());
    revalidatePath(PAGE);
    return ended ? { ok: true } : { error: "That session has already ended." };
  },
);

export const renameFactorAction = validatedActionWithUser(
  factorId.extend({ label: z.string().trim().min(1, "Enter a name.").max(60, "Use at most 60 characters.") }),
  async ({ factorId, label }, user): Promise<ActionState> => {
    const result = await renameFactor(user.id, factorId, label, await requestMeta());
    revalidatePath(PAGE);
    return result.ok ? { ok: true } : { error: result.message };
  },
);

export const setDefaultFactorAction = validatedActionWithUser(factorId, async ({ factorId }, user): Promise<ActionState> => {
  const result = await setDefaultFactor(user.id, factorId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true } : { error: result.message };
});

export const removeFactorAction = validatedActionWithStepUp(factorId, async ({ factorId }, user): Promise<ActionState> => {
  const result = await removeFactor(user, factorId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true } : { error: result.message };
});

export const regenerateRecoveryCodesAction = validatedActionWithStepUp(z.object({}), async (_input, user): Promise<ActionState<{ codes: string[] }>> => {
  const codes = await regenerateRecoveryCodes(user.id, await requestMeta());
  return { ok: true, data: { codes } };
});

export const turnOffTwoFactorAction = validatedActionWithStepUp(z.object({}), async (_input, user): Promise<ActionState> => {
  await turnOffTwoFactor(user, await requestMeta());
  revalidatePath(PAGE);
  return { ok: true };
});

export const revokeTrustedDeviceAction = validatedActionWithUser(
  z.object({ deviceId: z.union([z.uuid(), z.literal("all")]) }),
  async ({ deviceId }, user): Promise<ActionState<{ count: number }>> => {
    const count = await revokeTrustedDevices(db(), user.id, await requestMeta(), { reason: "user", deviceId: deviceId === "all" ? undefined : deviceId });
    revalidatePath(PAGE);
    return { ok: true, data: { count } };
  },
);
