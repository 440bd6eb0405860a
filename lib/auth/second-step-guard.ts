import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Executor, type Tx } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { lockUser } from "@/lib/db/lock-user";
import { emailLinks, users } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import { clearRateLimit, peekRateLimit, rateLimit } from "@/lib/rate-limit";
import { hashToken, randomToken } from "@/lib/security/tokens";

/** Failed second factors for one account in 15 minutes before the second step locks for 15 minutes. */
export const SECOND_STEP_FAILURES = { limit: 10, windowSeconds: 15 * 60 };
export const SECOND_STEP_LOCK_SECONDS = 15 * 60;
/**
 * Consecutive failures, across sign-ins and step-ups and however slowly they come, before
 * the second step is blocked until the person proves themselves out of band: NIST SP
 * 800-63B's cap. The 15-minute lock alone still lets a patient guesser try ~960 codes a day.
 */
export const SECOND_FACTOR_FAILURE_CAP = 100;
export const UNBLOCK_LINK_HOURS = 24;
const UNBLOCK_PURPOSE = "unblock_second_factor";
/** Unblock emails per account: a blocked attacker retrying must not flood the owner's mailbox. */
const UNBLOCK_EMAILS = { limit: 1, windowSeconds: UNBLOCK_LINK_HOURS * 3600 };

export const SECOND_STEP_BLOCKED_MESSAGE =
  "Signing in is blocked on this account after 100 failed second-factor attempts. We emailed the account a link to unblock it; a team admin can also reset your two-factor authentication.";

export const UNBLOCK_LINK_DEAD = "This link has expired or was already used. Signing in again sends a new one once a day while the account is blocked.";

const lockKey = (userId: string) => `2fa:lock:${userId}`;
const failKey = (userId: string) => `2fa:fail:${userId}`;

/**
 * Serialises every second-factor check of one user for the rest of the transaction: parallel
 * guesses queue up and each one sees the failures counted before it, so no burst of
 * requests gets more tries than the limits allow.
 */
export const lockSecondStep = lockUser;

/** Why the second step is refused before any factor is checked. `unblockLink`: a new link to email after the commit. */
export type SecondStepRefusal = { message: string; blocked: boolean; unblockLink?: string };

/** True while the account's second step is blocked (100 failures in a row). */
export async function isSecondStepBlocked(userId: string, ex: Executor = db()): Promise<boolean> {
  const [row] = await ex.select({ blockedAt: users.secondFactorBlockedAt }).from(users).where(eq(users.id, userId));
  return Boolean(row?.blockedAt);
}

/**
 * The refusal while the account's second step is blocked or locked, or null. While blocked,
 * a new unblock link is issued at most once a day (the first went out with the block).
 */
export async function secondStepRefusal(tx: Tx, userId: string): Promise<SecondStepRefusal | null> {
  if (await isSecondStepBlocked(userId, tx)) {
    return { message: SECOND_STEP_BLOCKED_MESSAGE, blocked: true, unblockLink: (await issueUnblockLink(tx, userId)) ?? undefined };
  }
  const lock = await peekRateLimit(lockKey(userId), tx);
  if (lock.count === 0) return null;
  const minutes = Math.ceil(lock.retryAfterSeconds / 60);
  return { message: `Too many failed attempts for this account. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, blocked: false };
}

/** What one counted failure did: `locking` the 15-minute lock, `unblockLink` set when it reached the cap and blocked. */
export type FailureCount = { locking: boolean; blocking: boolean; unblockLink?: string };

/**
 * Counts one failed second factor for the account, in the transaction of the failure: the
 * 10th in 15 minutes locks the second step for 15 minutes; the 100th in a row (the counter
 * survives new sign-ins and is reset only by a success, see verifyProof) blocks it.
 */
export async function countSecondStepFailure(tx: Tx, userId: string, meta: RequestMeta): Promise<FailureCount> {
  const [row] = await tx
    .update(users)
    .set({
      secondFactorFailures: sql`${users.secondFactorFailures} + 1`,
      secondFactorBlockedAt: sql`case when ${users.secondFactorFailures} + 1 >= ${SECOND_FACTOR_FAILURE_CAP} then coalesce(${users.secondFactorBlockedAt}, now()) else ${users.secondFactorBlockedAt} end`,
    })
    .where(eq(users.id, userId))
    .returning({ failures: users.secondFactorFailures });
  const failures = await rateLimit(failKey(userId), SECOND_STEP_FAILURES, tx);
  const locking = failures.count === SECOND_STEP_FAILURES.limit;
  if (locking) {
    await rateLimit(lockKey(userId), { limit: 1, windowSeconds: SECOND_STEP_LOCK_SECONDS }, tx);
    await recordAudit(tx, { type: "sign_in.second_step_locked", userId, ...meta });
  }
  if (row?.failures !== SECOND_FACTOR_FAILURE_CAP) return { locking, blocking: false };
  await recordAudit(tx, { type: "sign_in.second_factor_blocked", userId, data: { failures: row.failures }, ...meta });
  return { locking, blocking: true, unblockLink: (await issueUnblockLink(tx, userId)) ?? undefined };
}

/** A new single-use unblock link (24 h, only its SHA-256 stored), or null when one went out in the last day. */
async function issueUnblockLink(tx: Tx, userId: string): Promise<string | null> {
  const allowed = await rateLimit(`unblock:email:${userId}`, UNBLOCK_EMAILS, tx);
  if (!allowed.allowed) return null;
  const token = randomToken();
  await tx.insert(emailLinks).values({
    userId,
    purpose: UNBLOCK_PURPOSE,
    tokenHash: hashToken(token),
    expiresAt: sql`now() + (${UNBLOCK_LINK_HOURS} * interval '1 hour')`,
  });
  return token;
}

/** After the transaction: emails what the failure or refusal calls for (block with its link, lock, replayed code). */
export async function announceSecondStepFailure(
  userId: string,
  outcome: { locking?: boolean; blocking?: boolean; unblockLink?: string; replayed?: boolean },
  meta: RequestMeta,
): Promise<void> {
  if (outcome.replayed) {
    await notifyUser(userId, "A code from your authenticator app was used twice", [
      "Someone entered a code from your authenticator app that had already been used, so it was refused.",
      "If you just typed the same code twice, you can ignore this. If not, someone may have seen your codes (over your shoulder or through a fake sign-in page): change your password and sign out your other sessions.",
    ], meta);
  }
  if (outcome.unblockLink) {
    const link = new URL(`/unblock-sign-in?token=${outcome.unblockLink}`, config.appUrl).toString();
    await notifyUser(userId, "Signing in is blocked after 100 failed attempts", [
      `There were ${SECOND_FACTOR_FAILURE_CAP} failed second-factor attempts in a row on your account, so signing in and confirming changes are blocked. Someone who knows your password may be guessing codes.`,
      "",
      `If this was you, open this link within ${UNBLOCK_LINK_HOURS} hours to unblock signing in (it works once):`,
      "",
      link,
      "",
      "If it wasn't you, change your password first. A team admin can also reset your two-factor authentication.",
    ], meta);
  } else if (outcome.locking && !outcome.blocking) {
    await notifyUser(userId, "Sign-in locked after too many failed attempts", [
      "There were 10 failed second-factor attempts on your account in 15 minutes, so signing in and confirming changes are locked for 15 minutes.",
    ], meta);
  }
}

/** After the transaction: tells the owner a recovery code was used, and how many are left (sign-in and step-up alike). */
export async function announceRecoveryCodeUse(userId: string, remaining: number, purpose: "sign_in" | "step_up", meta: RequestMeta): Promise<void> {
  const what = purpose === "sign_in" ? "to sign in" : "to confirm a change";
  await notifyUser(
    userId,
    `A recovery code was used ${what}`,
    [
      `A recovery code was just used ${purpose === "sign_in" ? "to sign in to your Tessera account" : "to confirm a change to your Tessera security settings"}. ${remaining} unused code${remaining === 1 ? "" : "s"} left.`,
      ...(remaining <= 2 ? ["You are running out of recovery codes: generate a new set under Settings → Security."] : []),
    ],
    meta,
  );
}

const unblockWhere = (token: string) =>
  and(eq(emailLinks.tokenHash, hashToken(token)), eq(emailLinks.purpose, UNBLOCK_PURPOSE), gt(emailLinks.expiresAt, sql`now()`))!;

/** True when `token` is a live unblock link (for showing the confirm button; changes nothing). */
export async function unblockLinkLive(token: string): Promise<boolean> {
  if (!token || token.length > 200) return false;
  const [row] = await db().select({ id: emailLinks.id }).from(emailLinks).where(and(unblockWhere(token), isNull(emailLinks.consumedAt)));
  return Boolean(row);
}

/**
 * Lifts the block through the emailed link, once: consumes the link (consumeOnce), clears the
 * block, the consecutive-failure counter and the 15-minute lock, kills the account's other
 * unblock links and audits — one transaction. Opening the link proved the mailbox; the second
 * factor is still asked at the next sign-in.
 */
export async function unblockSecondFactor(token: string, meta: RequestMeta): Promise<{ ok: true } | { ok: false; message: string }> {
  if (!token || token.length > 200) return { ok: false, message: UNBLOCK_LINK_DEAD };
  const userId = await db().transaction(async (tx) => {
    const link = await consumeOnce(tx, emailLinks, unblockWhere(token));
    if (!link) return null;
    await lockUser(tx, link.userId);
    await tx.update(users).set({ secondFactorBlockedAt: null, secondFactorFailures: 0 }).where(eq(users.id, link.userId));
    await tx
      .update(emailLinks)
      .set({ consumedAt: sql`now()` })
      .where(and(eq(emailLinks.userId, link.userId), eq(emailLinks.purpose, UNBLOCK_PURPOSE), isNull(emailLinks.consumedAt)));
    await clearRateLimit(lockKey(link.userId), tx);
    await clearRateLimit(failKey(link.userId), tx);
    await recordAudit(tx, { type: "second_factor.unblocked", userId: link.userId, ...meta });
    return link.userId;
  });
  if (!userId) return { ok: false, message: UNBLOCK_LINK_DEAD };
  await notifyUser(userId, "Signing in was unblocked", ["The emailed link was used to unblock signing in to your Tessera account. Your second factor is still needed to sign in."], meta);
  return { ok: true };
}
