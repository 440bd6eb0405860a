import { recordAudit, type RequestMeta } from "@/lib/audit";
import type { Tx } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { notifyUser } from "@/lib/notifications";
import { peekRateLimit, rateLimit } from "@/lib/rate-limit";

/** Failed second factors for one account in 15 minutes before the second step locks for 15 minutes. */
export const SECOND_STEP_FAILURES = { limit: 10, windowSeconds: 15 * 60 };
export const SECOND_STEP_LOCK_SECONDS = 15 * 60;

const lockKey = (userId: string) => `2fa:lock:${userId}`;

/**
 * Serialises every second-factor check of one user for the rest of the transaction: parallel
 * guesses queue up and each one sees the failures counted before it, so no burst of
 * requests gets more tries than the limits allow.
 */
export const lockSecondStep = lockUser;

/** The message while the account's second step is locked, or null. */
export async function secondStepLockMessage(tx: Tx, userId: string): Promise<string | null> {
  const lock = await peekRateLimit(lockKey(userId), tx);
  if (lock.count === 0) return null;
  const minutes = Math.ceil(lock.retryAfterSeconds / 60);
  return `Too many failed attempts for this account. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** Counts one failed second factor for the account; the 10th locks the second step. Returns whether it just locked. */
export async function countSecondStepFailure(tx: Tx, userId: string, meta: RequestMeta): Promise<boolean> {
  const failures = await rateLimit(`2fa:fail:${userId}`, SECOND_STEP_FAILURES, tx);
  if (failures.count !== SECOND_STEP_FAILURES.limit) return false;
  await rateLimit(lockKey(userId), { limit: 1, windowSeconds: SECOND_STEP_LOCK_SECONDS }, tx);
  await recordAudit(tx, { type: "sign_in.second_step_locked", userId, ...meta });
  return true;
}

/** After the transaction: tell the owner their second step is locked. */
export async function announceSecondStepLock(userId: string, meta: RequestMeta): Promise<void> {
  await notifyUser(userId, "Sign-in locked after too many failed attempts", [
    "There were 10 failed second-factor attempts on your account in 15 minutes, so signing in and confirming changes are locked for 15 minutes.",
  ], meta);
}
