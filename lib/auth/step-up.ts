import { and, eq, gt, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { hasSecondFactor } from "@/lib/factors";
import { verifyProof, type FactorProof } from "@/lib/factors/proof";
import { sendFactorCode } from "@/lib/factors/send-code";
import { announceSecondStepLock, countSecondStepFailure, lockSecondStep, secondStepLockMessage } from "./second-step-guard";

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

/** Re-verifies a second factor for this session; unlocks sensitive changes for 10 minutes. */
export async function stepUp(user: { id: string; sessionId: string }, proof: FactorProof, meta: RequestMeta): Promise<{ ok: true } | { ok: false; message: string }> {
  // The same account-wide failure count and lock as the sign-in challenge: a stolen session
  // must not be a way to guess codes without limit.
  const outcome = await db().transaction(async (tx) => {
    await lockSecondStep(tx, user.id);
    const locked = await secondStepLockMessage(tx, user.id);
    if (locked) return { ok: false as const, message: locked, locking: false };
    const result = await verifyProof(tx, user.id, proof, { purpose: "step_up", sessionId: user.sessionId }, meta);
    if (!result.ok) {
      const locking = await countSecondStepFailure(tx, user.id, meta);
      return { ok: false as const, message: result.message ?? "That didn't work. Check the code and try again.", locking };
    }
    await tx.update(sessions).set({ stepUpAt: sql`now()` }).where(eq(sessions.id, user.sessionId));
    await recordAudit(tx, { type: "step_up.verified", userId: user.id, data: { method: result.method }, ...meta });
    return { ok: true as const };
  });
  if (outcome.ok) return outcome;
  if (outcome.locking) {
    await announceSecondStepLock(user.id, meta);
    return { ok: false, message: "Too many failed attempts for this account. Try again in 15 minutes." };
  }
  return { ok: false, message: outcome.message };
}

/** Sends a step-up code by email, SMS or voice call to the user's enrolled destination. */
export function sendStepUpCode(userId: string, channel: "email" | "sms" | "voice", meta: RequestMeta) {
  return sendFactorCode({ userId, purpose: "step_up", channel }, meta);
}
