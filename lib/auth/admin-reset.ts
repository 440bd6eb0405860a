import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor, type Tx } from "@/lib/db";
import { factors, twoFactorResets, users } from "@/lib/db/schema";
import { clearSecondFactor } from "@/lib/factors/manage";
import { issueOtp, verifyOtp } from "@/lib/factors/codes/otp";
import { maskEmail } from "@/lib/factors/codes/phone";
import { notifyUser } from "@/lib/notifications";
import { liveResetRequest, resetState } from "@/lib/teams/reset-requests";

/**
 * Which emailed-code step the sign-in challenge offers:
 * - "ready": the user still has factors and every team that requires 2FA of them asked for a
 *   reset — "Lost your factors?" is offered beside their methods;
 * - "required": an admin reset was used and no factor enrolled since (`users.enroll_required_by`):
 *   the password never completes a sign-in alone, the emailed code is asked every time;
 * - null: neither.
 */
export type AdminResetMode = "ready" | "required" | null;

export const ADMIN_RESET_MESSAGES = {
  NONE: "No reset of your two-factor authentication is waiting. Use one of your methods, or ask your team's admin.",
  // The mailbox that just reset the password must not also be the only proof (issue 10, 1b).
  SUSPENDED:
    "Your password was reset by email recently, so a code sent to that same address can't prove it's you on its own. Use a recovery code, or ask your team's admin for help.",
} as const;

export async function adminResetMode(ex: Executor, userId: string): Promise<AdminResetMode> {
  const [user] = await ex.select({ enrollRequiredBy: users.enrollRequiredBy }).from(users).where(eq(users.id, userId));
  const [factor] = await ex.select({ id: factors.id }).from(factors).where(eq(factors.userId, userId)).limit(1);
  if (!factor) return user?.enrollRequiredBy ? "required" : null;
  return (await resetState(ex, userId))?.ready ? "ready" : null;
}

async function account(ex: Executor, userId: string) {
  const [user] = await ex.select({ email: users.email, suspended: users.emailFactorSuspendedAt }).from(users).where(eq(users.id, userId));
  return user!;
}

export type AdminResetSendResult = { ok: true; resendAt: Date; sentTo: string } | { ok: false; message: string; retryAfterSeconds?: number };

/**
 * Sends the out-of-band proof to the account's own address (never one typed at sign-in),
 * bound to this challenge, with the usual cooldown and hourly caps of `issueOtp`.
 */
export async function sendAdminResetProof(challenge: { id: string; userId: string }, meta: RequestMeta): Promise<AdminResetSendResult> {
  if (!(await adminResetMode(db(), challenge.userId))) return { ok: false, message: ADMIN_RESET_MESSAGES.NONE };
  const user = await account(db(), challenge.userId);
  if (user.suspended) return { ok: false, message: ADMIN_RESET_MESSAGES.SUSPENDED };
  const sent = await issueOtp({ userId: challenge.userId, purpose: "admin_reset", channel: "email", destination: user.email, challengeId: challenge.id }, meta);
  if (!sent.ok) return { ok: false, message: sent.message, retryAfterSeconds: sent.retryAfterSeconds };
  return { ok: true, resendAt: sent.resendAt, sentTo: maskEmail(user.email) };
}

export type AdminResetProofResult = { ok: true; method: "admin_reset"; resetCompleted: boolean } | { ok: false; message?: string; replayed?: undefined };

/**
 * Checks the emailed code inside the sign-in challenge's transaction (which holds the user's
 * lock, and counts a failure like any wrong factor). For a ready reset the right code carries
 * it out in that same transaction: factors, recovery codes, remembered devices, other sessions
 * and sign-ins go (`clearSecondFactor`, keeping this challenge), the requests are completed,
 * `enroll_required_by` names the team that asked first (the member is held on the setup page
 * until they enroll), the consecutive-failure block is cleared, and each requesting team's log
 * gets `member.two_factor_reset_completed`.
 */
export async function redeemAdminReset(tx: Tx, userId: string, challengeId: string, code: string, meta: RequestMeta): Promise<AdminResetProofResult> {
  const mode = await adminResetMode(tx, userId);
  if (!mode) return { ok: false, message: ADMIN_RESET_MESSAGES.NONE };
  if ((await account(tx, userId)).suspended) return { ok: false, message: ADMIN_RESET_MESSAGES.SUSPENDED };
  const checked = await verifyOtp({ userId, purpose: "admin_reset", code, challengeId }, tx);
  if (!checked.ok) return { ok: false, message: checked.message };
  if (mode === "required") return { ok: true, method: "admin_reset", resetCompleted: false };

  const held = await tx.select({ kind: factors.kind }).from(factors).where(eq(factors.userId, userId));
  const requests = await tx
    .select({ id: twoFactorResets.id, teamId: twoFactorResets.teamId })
    .from(twoFactorResets)
    .where(and(eq(twoFactorResets.userId, userId), liveResetRequest))
    .orderBy(asc(twoFactorResets.createdAt));
  await clearSecondFactor(tx, userId, meta, undefined, challengeId);
  await tx.update(twoFactorResets).set({ completedAt: sql`now()` }).where(inArray(twoFactorResets.id, requests.map((r) => r.id)));
  await tx.update(users).set({ enrollRequiredBy: requests[0]!.teamId, secondFactorFailures: 0, secondFactorBlockedAt: null }).where(eq(users.id, userId));
  const kinds = [...new Set(held.map((f) => f.kind))];
  for (const request of requests) {
    await recordAudit(tx, {
      type: "member.two_factor_reset_completed",
      teamId: request.teamId,
      userId,
      actorId: userId,
      data: { requestId: request.id, factors: held.length, kinds },
      ...meta,
    });
  }
  return { ok: true, method: "admin_reset", resetCompleted: true };
}

/** After the commit: the account's owner hears that the reset was used, from where. */
export async function announceAdminReset(userId: string, meta: RequestMeta): Promise<void> {
  await notifyUser(
    userId,
    "Your two-factor authentication was reset",
    [
      "The reset your team's admin asked for was just used, after your password and a code sent to this address.",
      "Your second factors, recovery codes and remembered devices were removed, and your other sessions were signed out. Set up a new second factor now: until you do, every sign-in asks for a code sent here.",
    ],
    meta,
  );
}
