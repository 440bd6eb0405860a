import { and, eq, gt, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { hasSecondFactor } from "@/lib/factors";
import { verifyProof, type FactorProof } from "@/lib/factors/proof";
import { sendFactorCode, type SendCodeResult } from "@/lib/factors/codes/send-code";
import { announceRecoveryCodeUse, announceSecondStepFailure, countSecondStepFailure, isSecondStepBlocked, lockSecondStep, SECOND_STEP_BLOCKED_MESSAGE, secondStepRefusal } from "./second-step-guard";

/** How long a re-entered second factor unlocks sensitive changes. */
export const STEP_UP_SECONDS = 10 * 60;

/**
 * True when this session may make a sensitive change now: its user re-entered a second
 * factor within 10 minutes — or has no factor at all (enrolling the first one needs none).
 */
export async function hasFreshStepUp(userId: string, sessionId: string): Promise<boolean> {
  if (!(await hasSecondFactor(userId))) return true;
  const [row] = await db()
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), gt(sessions.stepUpAt, sql`now() - (${STEP_UP_SECONDS} * interval '1 second')`)));
  return Boolean(row);
}

/**
 * Whether a team-wide change (policy, roles, removals, credits, API keys, admin invitations,
 * resets) may go ahead in this session: `null` when it may. Unlike personal changes, having
 * no second factor is no pass here — step-up would then be the password alone, and the
 * team's protection would be only as strong as its weakest admin — so the actor must have
 * a factor of their own (`"no_factor"`) and have re-entered it within 10 minutes (`"stale"`).
 */
export async function teamChangeRefusal(userId: string, sessionId: string): Promise<"no_factor" | "stale" | null> {
  if (!(await hasSecondFactor(userId))) return "no_factor";
  return (await hasFreshStepUp(userId, sessionId)) ? null : "stale";
}

/** Re-verifies a second factor for this session; unlocks sensitive changes for 10 minutes. */
export async function stepUp(user: { id: string; sessionId: string }, proof: FactorProof, meta: RequestMeta): Promise<{ ok: true } | { ok: false; message: string }> {
  // The same account-wide failure counts, lock and block as the sign-in challenge, and the same
  // emails: a stolen session guessing step-up codes is the same attacker as one at the challenge.
  const outcome = await db().transaction(async (tx) => {
    await lockSecondStep(tx, user.id);
    const refused = await secondStepRefusal(tx, user.id);
    if (refused) return { ok: false as const, message: refused.message, announce: refused };
    const result = await verifyProof(tx, user.id, proof, { purpose: "step_up", sessionId: user.sessionId }, meta);
    if (!result.ok) {
      const counted = await countSecondStepFailure(tx, user.id, meta);
      const message = counted.blocking
        ? SECOND_STEP_BLOCKED_MESSAGE
        : counted.locking
          ? "Too many failed attempts for this account. Try again in 15 minutes."
          : (result.message ?? "That didn't work. Check the code and try again.");
      return { ok: false as const, message, announce: { ...counted, replayed: result.replayed } };
    }
    await tx.update(sessions).set({ stepUpAt: sql`now()` }).where(eq(sessions.id, user.sessionId));
    await recordAudit(tx, { type: "step_up.verified", userId: user.id, data: { method: result.method }, ...meta });
    return { ok: true as const, remainingRecoveryCodes: result.remainingRecoveryCodes };
  });
  if (outcome.ok) {
    if (outcome.remainingRecoveryCodes !== undefined) await announceRecoveryCodeUse(user.id, outcome.remainingRecoveryCodes, "step_up", meta);
    return { ok: true };
  }
  await announceSecondStepFailure(user.id, outcome.announce, meta);
  return { ok: false, message: outcome.message };
}

/** Sends a step-up code by email, SMS or voice call to the user's enrolled destination; none while the second step is blocked. */
export async function sendStepUpCode(userId: string, channel: "email" | "sms" | "voice", meta: RequestMeta): Promise<SendCodeResult> {
  if (await isSecondStepBlocked(userId)) return { ok: false, code: "BLOCKED", message: SECOND_STEP_BLOCKED_MESSAGE };
  return sendFactorCode({ userId, purpose: "step_up", channel }, meta);
}
