import { and, eq, ne } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { cancelOpenChallenges } from "@/lib/auth/challenge";
import { endSessions } from "@/lib/auth/sessions";
import { db, type Tx } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { factors, recoveryCodes } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import { FACTORS } from "./registry";
import { defaultRefusal, removalRefusal } from "./policy-rules";
import { generateRecoveryCodes } from "./recovery/recovery-codes";
import { revokeTrustedDevices } from "./trusted-devices";

export type ManageResult = { ok: true } | { ok: false; message: string };
const NOT_FOUND: ManageResult = { ok: false, message: "That method no longer exists. Reload the page." };

export const labelInput = (label: string) => label.trim().replace(/\s+/g, " ");

export async function renameFactor(userId: string, factorId: string, rawLabel: string, meta: RequestMeta): Promise<ManageResult> {
  const label = labelInput(rawLabel);
  if (label.length < 1 || label.length > 60) return { ok: false, message: "Use a name of 1 to 60 characters." };
  return db().transaction(async (tx) => {
    const [row] = await tx
      .update(factors)
      .set({ label })
      .where(and(eq(factors.id, factorId), eq(factors.userId, userId)))
      .returning({ id: factors.id });
    if (!row) return NOT_FOUND;
    await recordAudit(tx, { type: "factor.renamed", userId, data: { factorId, label }, ...meta });
    return { ok: true as const };
  });
}

export async function setDefaultFactor(userId: string, factorId: string, meta: RequestMeta): Promise<ManageResult> {
  return db().transaction(async (tx) => {
    // One change at a time per user; clear first: the partial unique index allows one default.
    await lockUser(tx, userId);
    const [target] = await tx.select({ id: factors.id, kind: factors.kind }).from(factors).where(and(eq(factors.id, factorId), eq(factors.userId, userId)));
    if (!target) return NOT_FOUND;
    const refused = await defaultRefusal(userId, target.kind, tx);
    if (refused) return { ok: false as const, message: refused };
    await tx.update(factors).set({ isDefault: false }).where(and(eq(factors.userId, userId), eq(factors.isDefault, true)));
    await tx.update(factors).set({ isDefault: true }).where(eq(factors.id, factorId));
    await recordAudit(tx, { type: "factor.default_changed", userId, data: { factorId }, ...meta });
    return { ok: true as const };
  });
}

/**
 * Removes one factor (the caller has checked step-up). Removing the last one turns 2FA
 * off, with everything that implies (see `turnOffTwoFactor`).
 */
export async function removeFactor(user: { id: string; sessionId: string }, factorId: string, meta: RequestMeta): Promise<ManageResult & { twoFactorOff?: boolean }> {
  const outcome = await db().transaction(async (tx) => {
    // Two removals at once must not both see "another factor is left".
    await lockUser(tx, user.id);
    const others = await tx.select({ kind: factors.kind }).from(factors).where(and(eq(factors.userId, user.id), ne(factors.id, factorId)));
    const refused = await removalRefusal(user.id, others.map((f) => f.kind), tx);
    if (refused) return { refused };
    const [removed] = await tx
      .delete(factors)
      .where(and(eq(factors.id, factorId), eq(factors.userId, user.id)))
      .returning({ kind: factors.kind, isDefault: factors.isDefault });
    if (!removed) return null;
    await recordAudit(tx, { type: "factor.removed", userId: user.id, data: { factorId, kind: removed.kind }, ...meta });
    const rest = await tx.select({ id: factors.id }).from(factors).where(eq(factors.userId, user.id)).orderBy(factors.createdAt);
    if (rest.length === 0) {
      await endTwoFactor(tx, user, meta);
      return { kind: removed.kind, off: true };
    }
    if (removed.isDefault) await tx.update(factors).set({ isDefault: true }).where(eq(factors.id, rest[0]!.id));
    // A browser remembered while this factor existed may have been remembered by whoever held it.
    await revokeTrustedDevices(tx, user.id, meta, { reason: "factor_removed" });
    return { kind: removed.kind, off: false };
  });
  if (!outcome) return NOT_FOUND;
  if (outcome.refused !== undefined) return { ok: false, message: outcome.refused };
  await notifyUser(user.id, "A second factor was removed from your account", [
    `${FACTORS[outcome.kind].articleName} was removed from your Tessera account.`,
    ...(outcome.off ? ["It was your last one: two-factor authentication is now off."] : []),
  ], meta);
  return { ok: true, twoFactorOff: outcome.off };
}

/** Turns 2FA off: every factor, recovery code and remembered device goes; other sessions end. */
export async function turnOffTwoFactor(user: { id: string; sessionId: string }, meta: RequestMeta): Promise<ManageResult> {
  const refused = await db().transaction(async (tx) => {
    await lockUser(tx, user.id);
    const refusal = await removalRefusal(user.id, [], tx);
    if (refusal) return refusal;
    await endTwoFactor(tx, user, meta);
    return null;
  });
  if (refused) return { ok: false, message: refused };
  await notifyUser(user.id, "Two-factor authentication was turned off", [
    "Two-factor authentication was turned off for your Tessera account. Your password alone now signs you in.",
    "Every other session was signed out and every remembered device forgotten.",
  ], meta);
  return { ok: true };
}

async function endTwoFactor(tx: Tx, user: { id: string; sessionId: string }, meta: RequestMeta) {
  await clearSecondFactor(tx, user.id, meta, user.sessionId);
  await recordAudit(tx, { type: "two_factor.disabled", userId: user.id, ...meta });
}

/**
 * Everything "2FA off" takes away, in the caller's transaction (which holds `lockUser`):
 * factors, recovery codes, sign-ins not yet exchanged, remembered devices, and sessions —
 * all of them, or all but `keepSessionId` (and the sign-in `keepChallengeId` that is using an
 * admin reset). Turning 2FA off and a used admin reset (lib/auth/admin-reset.ts) share it, so
 * the two can never drift apart.
 */
export async function clearSecondFactor(tx: Tx, userId: string, meta: RequestMeta, keepSessionId?: string, keepChallengeId?: string): Promise<void> {
  await tx.delete(factors).where(eq(factors.userId, userId));
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await cancelOpenChallenges(tx, userId, { exceptId: keepChallengeId });
  await revokeTrustedDevices(tx, userId, meta, { reason: "factors_cleared" });
  await endSessions(tx, userId, keepSessionId);
}

/** A new set of 10 recovery codes; the old set dies. The caller has checked step-up. */
export async function regenerateRecoveryCodes(userId: string, meta: RequestMeta): Promise<string[]> {
  const codes = await db().transaction((tx) => generateRecoveryCodes(tx, userId, meta));
  await notifyUser(userId, "New recovery codes were generated", ["A new set of recovery codes was generated for your Tessera account. The old codes no longer work."], meta);
  return codes;
}
