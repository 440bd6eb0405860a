"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { revokeOtherSessions, revokeUserSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { regenerateRecoveryCodes, removeFactor, renameFactor, setDefaultFactor, turnOffTwoFactor } from "@/lib/factors/manage";
import { revokeTrustedDevices } from "@/lib/factors/trusted-devices";

const PAGE = "/settings/security";
const factorId = z.object({ factorId: z.uuid("Choose a method.") });

export const signOutOtherSessionsAction = formAction({ auth: "user", schema: z.object({}) }, async (_input, user): Promise<ActionState<{ count: number }>> => {
  const count = await revokeOtherSessions(user.id, user.sessionId, await requestMeta());
  revalidatePath(PAGE);
  return { ok: true, data: { count } };
});

/** "Sign out" beside one session in the list: only the user's own sessions can be named. */
export const signOutSessionAction = formAction(
  { auth: "user", schema: z.object({ sessionId: z.uuid("Choose a session.") }) },
  async ({ sessionId }, user): Promise<ActionState> => {
    const ended = await revokeUserSession(user.id, sessionId, await requestMeta());
    revalidatePath(PAGE);
    return ended ? { ok: true } : { error: "That session has already ended." };
  },
);

export const renameFactorAction = formAction(
  { auth: "user", schema: factorId.extend({ label: z.string().trim().min(1, "Enter a name.").max(60, "Use at most 60 characters.") }) },
  async ({ factorId, label }, user): Promise<ActionState> => {
    const result = await renameFactor(user.id, factorId, label, await requestMeta());
    revalidatePath(PAGE);
    return result.ok ? { ok: true } : refusalState(result);
  },
);

export const setDefaultFactorAction = formAction({ auth: "user", schema: factorId }, async ({ factorId }, user): Promise<ActionState> => {
  const result = await setDefaultFactor(user.id, factorId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true } : refusalState(result);
});

export const removeFactorAction = formAction({ auth: "stepUp", schema: factorId }, async ({ factorId }, user): Promise<ActionState> => {
  const result = await removeFactor(user, factorId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true } : refusalState(result);
});

export const regenerateRecoveryCodesAction = formAction({ auth: "stepUp", schema: z.object({}) }, async (_input, user): Promise<ActionState<{ codes: string[] }>> => {
  const codes = await regenerateRecoveryCodes(user.id, await requestMeta());
  return { ok: true, data: { codes } };
});

export const turnOffTwoFactorAction = formAction({ auth: "stepUp", schema: z.object({}) }, async (_input, user): Promise<ActionState> => {
  await turnOffTwoFactor(user, await requestMeta());
  revalidatePath(PAGE);
  return { ok: true };
});

export const revokeTrustedDeviceAction = formAction(
  { auth: "user", schema: z.object({ deviceId: z.union([z.uuid(), z.literal("all")]) }) },
  async ({ deviceId }, user): Promise<ActionState<{ count: number }>> => {
    const count = await revokeTrustedDevices(db(), user.id, await requestMeta(), { reason: "user", deviceId: deviceId === "all" ? undefined : deviceId });
    revalidatePath(PAGE);
    return { ok: true, data: { count } };
  },
);
