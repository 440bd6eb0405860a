import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { otpCodes, signInChallenges } from "@/lib/db/schema";
import { listPromptMethods, type PromptMethodRow } from "@/lib/factors/methods";
import { sendFactorCode } from "@/lib/factors/send-code";
import { maskEmail, maskPhone } from "@/lib/factors/phone";
import { verifyProof, type FactorProof } from "@/lib/factors/proof";
import { countRecoveryCodes } from "@/lib/factors/recovery-codes";
import { trustDevice } from "@/lib/factors/trusted-devices";
import { beginWebAuthnAuthentication } from "@/lib/factors/webauthn";
import { notifyUser } from "@/lib/notifications";
import { peekRateLimit, rateLimit } from "@/lib/rate-limit";
import { hashToken } from "@/lib/security/tokens";

/** Wrong second factors one challenge survives; then the user starts again from the password. */
export const CHALLENGE_MAX_FAILURES = 5;
/** Wrong second factors for one account in 15 minutes before the second step locks for 15 minutes. */
export const SECOND_STEP_FAILURES = { limit: 10, windowSeconds: 15 * 60 };
export const SECOND_STEP_LOCK_SECONDS = 15 * 60;

const lockKey = (userId: string) => `2fa:lock:${userId}`;


export type OpenChallenge = {
  id: string;
  userId: string;
  expiresAt: Date;
  failedAttempts: number;
  methods: PromptMethodRow[];
  recoveryCodesLeft: number;
  /** The masked destination of a code already sent for this challenge, and when it went. */
  codeSent?: { to: string; at: Date };
};

/** The open (unexpired, incomplete, unused, not failed-out) challenge behind a cookie token. */
async function findOpenChallenge(token: string | undefined) {
  if (!token) return null;
  const [row] = await db()
    .select()
    .from(signInChallenges)
    .where(
      and(
        eq(signInChallenges.tokenHash, hashToken(token)),
        isNull(signInChallenges.completedAt),
        isNull(signInChallenges.consumedAt),
        gt(signInChallenges.expiresAt, sql`now()`),
        lt(signInChallenges.failedAttempts, CHALLENGE_MAX_FAILURES),
      ),
    );
  return row ?? null;
}

/** What the challenge screen shows: the user's methods, default first. */
export async function describeChallenge(token: string | undefined): Promise<OpenChallenge | null> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return null;
  const [methods, recoveryCodesLeft, [sent]] = await Promise.all([
    listPromptMethods(challenge.userId),
    countRecoveryCodes(challenge.userId),
    db()
      .select({ destination: otpCodes.destination, channel: otpCodes.channel, createdAt: otpCodes.createdAt })
      .from(otpCodes)
      .where(and(eq(otpCodes.challengeId, challenge.id), isNull(otpCodes.consumedAt)))
      .orderBy(desc(otpCodes.createdAt))
      .limit(1),
  ]);
  const codeSent = sent && { to: sent.channel === "email" ? maskEmail(sent.destination) : maskPhone(sent.destination), at: sent.createdAt };
  return { id: challenge.id, userId: challenge.userId, expiresAt: challenge.expiresAt, failedAttempts: challenge.failedAttempts, methods, recoveryCodesLeft, codeSent };
}

export type SendResult = { ok: true; resendAt: Date; sentTo: string } | { ok: false; message: string; retryAfterSeconds?: number; restart?: boolean };

/** Sends the sign-in code by email, SMS or voice call, bound to this challenge. */
export async function sendChallengeCode(token: string | undefined, channel: "email" | "sms" | "voice", meta: RequestMeta): Promise<SendResult> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return { ok: false, message: "Your sign-in has expired. Enter your email and password again.", restart: true };
  const sent = await sendFactorCode({ userId: challenge.userId, purpose: "sign_in", channel, challengeId: challenge.id }, meta);
  return sent.ok ? sent : { ok: false, message: sent.message, retryAfterSeconds: sent.retryAfterSeconds };
}

/** WebAuthn request options for this challenge's user. */
export async function challengeWebAuthnOptions(token: string | undefined) {
  const challenge = await findOpenChallenge(token);
  return challenge ? beginWebAuthnAuthentication(challenge.userId) : null;
}

export type VerifyResult =
  | { ok: true; trustedDeviceToken?: string; trustedUntil?: Date; remainingRecoveryCodes?: number }
  | { ok: false; message: string; restart?: boolean };

/**
 * Checks the second factor for a sign-in challenge and completes it. Every failure counts
 * against the challenge (5, then the user starts again from the password) and against the
 * account (10 in 15 minutes lock the second step for 15 minutes and email the user).
 */
export async function verifyChallenge(token: string | undefined, proof: FactorProof, options: { remember: boolean }, meta: RequestMeta): Promise<VerifyResult> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return { ok: false, message: "Your sign-in has expired. Enter your email and password again.", restart: true };
  const lock = await peekRateLimit(lockKey(challenge.userId));
  if (lock.count > 0) {
    const minutes = Math.ceil(lock.retryAfterSeconds / 60);
    return { ok: false, message: `Too many failed attempts for this account. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.` };
  }

  const outcome = await db().transaction(async (tx) => {
    const proofResult = await verifyProof(tx, challenge.userId, proof, { purpose: "sign_in", challengeId: challenge.id }, meta);
    if (!proofResult.ok) return { ok: false as const, message: proofResult.message };
    const [completed] = await tx
      .update(signInChallenges)
      .set({ completedAt: sql`now()`, completedWith: proofResult.method })
      .where(
        and(
          eq(signInChallenges.id, challenge.id),
          isNull(signInChallenges.completedAt),
          isNull(signInChallenges.consumedAt),
          gt(signInChallenges.expiresAt, sql`now()`),
          lt(signInChallenges.failedAttempts, CHALLENGE_MAX_FAILURES),
        ),
      )
      .returning({ id: signInChallenges.id });
    if (!completed) return { ok: false as const, restart: true };
    const device = options.remember ? await trustDevice(tx, challenge.userId, meta) : undefined;
    return { ok: true as const, device, remainingRecoveryCodes: proofResult.remainingRecoveryCodes };
  });

  if (outcome.ok) {
    if (outcome.remainingRecoveryCodes !== undefined) await warnAboutRecoveryCodes(challenge.userId, outcome.remainingRecoveryCodes, meta);
    return { ok: true, trustedDeviceToken: outcome.device?.token, trustedUntil: outcome.device?.expiresAt, remainingRecoveryCodes: outcome.remainingRecoveryCodes };
  }
  if (outcome.restart) return { ok: false, message: "Your sign-in has expired. Enter your email and password again.", restart: true };
  return recordChallengeFailure(challenge.id, challenge.userId, proof.method, meta, outcome.message);
}

async function recordChallengeFailure(challengeId: string, userId: string, method: string, meta: RequestMeta, message?: string): Promise<VerifyResult> {
  const [row] = await db()
    .update(signInChallenges)
    .set({ failedAttempts: sql`${signInChallenges.failedAttempts} + 1` })
    .where(eq(signInChallenges.id, challengeId))
    .returning({ failedAttempts: signInChallenges.failedAttempts });
  const failures = row?.failedAttempts ?? CHALLENGE_MAX_FAILURES;
  const account = await rateLimit(`2fa:fail:${userId}`, SECOND_STEP_FAILURES);
  const locking = account.count === SECOND_STEP_FAILURES.limit;
  await db().transaction(async (tx) => {
    await recordAudit(tx, { type: "sign_in.factor_failed", userId, data: { method }, ...meta });
    if (failures >= CHALLENGE_MAX_FAILURES) await recordAudit(tx, { type: "sign_in.challenge_locked", userId, ...meta });
    if (locking) {
      await rateLimit(lockKey(userId), { limit: 1, windowSeconds: SECOND_STEP_LOCK_SECONDS }, tx);
      await recordAudit(tx, { type: "sign_in.second_step_locked", userId, ...meta });
    }
  });
  if (failures === 1) {
    // The password was right: the owner must know someone has it.
    await notifyUser(userId, "Someone entered your password but not your second factor", [
      "Someone entered your Tessera password correctly, then failed the second factor.",
      "If this was you, you can ignore this email. If not, change your password now: your second factor kept them out.",
    ], meta);
  }
  if (locking) {
    await notifyUser(userId, "Sign-in locked after too many failed attempts", [
      "There were 10 failed second-factor attempts on your account in 15 minutes, so signing in is locked for 15 minutes.",
    ], meta);
    return { ok: false, message: "Too many failed attempts for this account. Try again in 15 minutes.", restart: true };
  }
  if (failures >= CHALLENGE_MAX_FAILURES) {
    return { ok: false, message: "Too many failed attempts. Enter your email and password again to get a new chance.", restart: true };
  }
  const left = CHALLENGE_MAX_FAILURES - failures;
  return { ok: false, message: `${message ?? "That code didn't work."} ${left} ${left === 1 ? "try" : "tries"} left.` };
}

async function warnAboutRecoveryCodes(userId: string, remaining: number, meta: RequestMeta) {
  await notifyUser(
    userId,
    "A recovery code was used to sign in",
    [
      `A recovery code was just used to sign in to your Tessera account. ${remaining} unused code${remaining === 1 ? "" : "s"} left.`,
      ...(remaining <= 2 ? ["You are running out of recovery codes: generate a new set under Settings → Security."] : []),
    ],
    meta,
  );
}
