import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { and, desc, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { otpCodes, signInChallenges } from "@/lib/db/schema";
import { listSignInMethods, type PromptMethodRow } from "@/lib/factors/methods";
import { sendFactorCode } from "@/lib/factors/codes/send-code";
import { maskEmail, maskPhone } from "@/lib/factors/codes/phone";
import { verifyProof, type FactorProof } from "@/lib/factors/proof";
import { countRecoveryCodes } from "@/lib/factors/recovery/recovery-codes";
import { trustDevice } from "@/lib/factors/trusted-devices";
import { beginWebAuthnAuthentication } from "@/lib/factors/webauthn/webauthn";
import { notifyUser } from "@/lib/notifications";
import { hashToken } from "@/lib/security/tokens";
import {
  announceRecoveryCodeUse,
  announceSecondStepFailure,
  countSecondStepFailure,
  isSecondStepBlocked,
  lockSecondStep,
  SECOND_STEP_BLOCKED_MESSAGE,
  secondStepRefusal,
  type FailureCount,
} from "./second-step-guard";
import { adminResetMode, announceAdminReset, redeemAdminReset, sendAdminResetProof, type AdminResetMode } from "./admin-reset";

/** Wrong second factors one challenge survives; then the user starts again from the password. */
export const CHALLENGE_MAX_FAILURES = 5;
export { SECOND_STEP_FAILURES, SECOND_STEP_LOCK_SECONDS } from "./second-step-guard";


export type OpenChallenge = {
  id: string;
  userId: string;
  expiresAt: Date;
  failedAttempts: number;
  methods: PromptMethodRow[];
  recoveryCodesLeft: number;
  /** How long "remember this device" lasts under the user's policy; 0 = never offered. */
  rememberDays: number;
  /** The masked destination of a code already sent for this challenge, and when it went. */
  codeSent?: { to: string; at: Date };
  /** A password reset by email suspended the email factor: the screen says why it is missing. */
  emailSuspended: boolean;
  /** 100 failures in a row blocked the second step: the screen says so instead of asking. */
  blocked: boolean;
  /** The emailed-code step after an admin reset this challenge offers (see AdminResetMode). */
  adminReset: AdminResetMode;
  /** Where the admin-reset code went, and when, once sent. */
  adminResetSent?: { to: string; at: Date };
};

/** Unexpired, incomplete, unused and not failed out. */
const openChallenge = and(
  isNull(signInChallenges.completedAt),
  isNull(signInChallenges.consumedAt),
  gt(signInChallenges.expiresAt, sql`now()`),
  lt(signInChallenges.failedAttempts, CHALLENGE_MAX_FAILURES),
);

const NOT_ALLOWED = "Your team doesn't allow this method for signing in. Use another method.";
export const EMAIL_SUSPENDED_REASON = "Because your password was just reset by email, a code by email can't be your second factor this time.";
const EMAIL_SUSPENDED = `${EMAIL_SUSPENDED_REASON} Use your authenticator app, security key, phone or a recovery code.`;

const EXPIRED = { ok: false as const, message: "Your sign-in has expired. Enter your email and password again.", restart: true };

/** The open challenge behind a cookie token. */
async function findOpenChallenge(token: string | undefined) {
  if (!token) return null;
  const [row] = await db()
    .select()
    .from(signInChallenges)
    .where(and(eq(signInChallenges.tokenHash, hashToken(token)), openChallenge));
  return row ?? null;
}

/** What the challenge screen shows: the user's methods, default first. */
export async function describeChallenge(token: string | undefined): Promise<OpenChallenge | null> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return null;
  const [{ methods, policy, emailSuspended }, recoveryCodesLeft, blocked, codes, adminReset] = await Promise.all([
    listSignInMethods(challenge.userId),
    countRecoveryCodes(challenge.userId),
    isSecondStepBlocked(challenge.userId),
    db()
      .select({ destination: otpCodes.destination, channel: otpCodes.channel, createdAt: otpCodes.createdAt, purpose: otpCodes.purpose })
      .from(otpCodes)
      .where(and(eq(otpCodes.challengeId, challenge.id), isNull(otpCodes.consumedAt)))
      .orderBy(desc(otpCodes.createdAt)),
    adminResetMode(db(), challenge.userId),
  ]);
  const sent = codes.find((c) => c.purpose === "sign_in");
  const resetSent = codes.find((c) => c.purpose === "admin_reset");
  const codeSent = sent && { to: sent.channel === "email" ? maskEmail(sent.destination) : maskPhone(sent.destination), at: sent.createdAt };
  const adminResetSent = adminReset && resetSent ? { to: maskEmail(resetSent.destination), at: resetSent.createdAt } : undefined;
  return {
    id: challenge.id,
    userId: challenge.userId,
    expiresAt: challenge.expiresAt,
    failedAttempts: challenge.failedAttempts,
    methods,
    recoveryCodesLeft,
    rememberDays: policy.rememberDays,
    codeSent,
    emailSuspended,
    blocked,
    adminReset,
    adminResetSent,
  };
}

export type SendResult =
  | { ok: true; resendAt: Date; sentTo: string }
  /**
   * `unusable`: this method cannot work now (no SMS credits, the policy forbids it, the team
   * does not send to this number or is paused) — offer the others. `callInstead`: a text to
   * this number cannot work (a landline), a call can.
   */
  | { ok: false; message: string; retryAfterSeconds?: number; restart?: boolean; unusable?: boolean; callInstead?: boolean };

/** Sends the sign-in code by email, SMS or voice call, bound to this challenge. */
export async function sendChallengeCode(token: string | undefined, channel: "email" | "sms" | "voice", meta: RequestMeta): Promise<SendResult> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return EXPIRED;
  const kind = channel === "email" ? "email" : "sms"; // a voice call reads the SMS factor's code
  // Refused here, not only left off the page: a request can name any channel.
  const { methods, emailSuspended } = await listSignInMethods(challenge.userId);
  if (!methods.some((m) => m.kind === kind)) return { ok: false, message: kind === "email" && emailSuspended ? EMAIL_SUSPENDED : NOT_ALLOWED, unusable: true };
  if (await isSecondStepBlocked(challenge.userId)) return { ok: false, message: SECOND_STEP_BLOCKED_MESSAGE, unusable: true };
  const sent = await sendFactorCode({ userId: challenge.userId, purpose: "sign_in", channel, challengeId: challenge.id }, meta);
  return sent.ok ? sent : { ok: false, message: sent.message, retryAfterSeconds: sent.retryAfterSeconds, unusable: sent.unusable, callInstead: sent.callInstead };
}

/** "Lost your factors?": emails the admin-reset code to the account's address, bound to this challenge. */
export async function sendAdminResetCode(token: string | undefined, meta: RequestMeta): Promise<SendResult> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return EXPIRED;
  return sendAdminResetProof(challenge, meta);
}

/** WebAuthn request options for this challenge's user, answerable on this challenge only. */
export async function challengeWebAuthnOptions(
  token: string | undefined,
  meta: RequestMeta,
): Promise<{ ok: true; options: PublicKeyCredentialRequestOptionsJSON } | { ok: false; message: string; restart?: boolean }> {
  const challenge = await findOpenChallenge(token);
  if (!challenge) return EXPIRED;
  return beginWebAuthnAuthentication(challenge.userId, { ceremony: "sign_in", signInChallengeId: challenge.id }, meta);
}

/** A factor, or the code emailed after an admin reset (lib/auth/admin-reset.ts). */
export type ChallengeProof = FactorProof | { method: "admin_reset"; code: string };

export type VerifyResult =
  | { ok: true; trustedDeviceToken?: string; trustedUntil?: Date; remainingRecoveryCodes?: number }
  | { ok: false; message: string; restart?: boolean };

/**
 * Checks the second factor for a sign-in challenge and completes it. Every failure counts
 * against the challenge (5, then the user starts again from the password) and against the
 * account (10 in 15 minutes lock the second step for 15 minutes and email the user).
 */
export async function verifyChallenge(token: string | undefined, proof: ChallengeProof, options: { remember: boolean }, meta: RequestMeta): Promise<VerifyResult> {
  const found = await findOpenChallenge(token);
  if (!found) return EXPIRED;
  const userId = found.userId;
  // Read before the transaction: the policy decides which proofs count and how long a device is remembered.
  const { methods, policy, emailSuspended } = await listSignInMethods(userId);
  if (proof.method !== "recovery_code" && proof.method !== "admin_reset" && !methods.some((m) => m.kind === proof.method)) {
    return { ok: false, message: proof.method === "email" && emailSuspended ? EMAIL_SUSPENDED : NOT_ALLOWED };
  }

  const outcome = await db().transaction(async (tx) => {
    await lockSecondStep(tx, userId);
    // Re-read under the lock: a parallel request may have completed or failed it out.
    const [challenge] = await tx.select().from(signInChallenges).where(and(eq(signInChallenges.id, found.id), openChallenge));
    if (!challenge) return { kind: "restart" as const };
    // Blocked or locked: refused before any factor is checked, so nothing is learned or used up.
    // An admin reset is one of the two ways out of the 100-failure block, so its emailed code
    // still counts then (the 15-minute lock holds for it as for any proof).
    const refused = await secondStepRefusal(tx, userId);
    if (refused && !(refused.blocked && proof.method === "admin_reset")) return { kind: "locked" as const, refused };

    const proofResult =
      proof.method === "admin_reset"
        ? await redeemAdminReset(tx, userId, challenge.id, proof.code, meta)
        : await verifyProof(tx, userId, proof, { purpose: "sign_in", challengeId: challenge.id }, meta);
    if (!proofResult.ok) {
      const [row] = await tx
        .update(signInChallenges)
        .set({ failedAttempts: sql`${signInChallenges.failedAttempts} + 1` })
        .where(eq(signInChallenges.id, challenge.id))
        .returning({ failedAttempts: signInChallenges.failedAttempts });
      const failures = row!.failedAttempts;
      await recordAudit(tx, { type: "sign_in.factor_failed", userId, data: { method: proof.method }, ...meta });
      if (failures >= CHALLENGE_MAX_FAILURES) await recordAudit(tx, { type: "sign_in.challenge_locked", userId, data: { method: proof.method }, ...meta });
      const counted = await countSecondStepFailure(tx, userId, meta);
      return { kind: "failed" as const, failures, counted, replayed: proofResult.replayed, message: proofResult.message };
    }

    await tx.update(signInChallenges).set({ completedAt: sql`now()`, completedWith: proofResult.method }).where(eq(signInChallenges.id, challenge.id));
    // An emailed code after a reset is no factor to remember a device by.
    const device = options.remember && policy.rememberDays > 0 && proofResult.method !== "admin_reset" ? await trustDevice(tx, userId, meta, policy) : undefined;
    if (proofResult.method === "admin_reset") return { kind: "ok" as const, resetCompleted: proofResult.resetCompleted };
    return { kind: "ok" as const, device, remainingRecoveryCodes: proofResult.remainingRecoveryCodes };
  });

  switch (outcome.kind) {
    case "restart":
      return EXPIRED;
    case "locked":
      await announceSecondStepFailure(userId, outcome.refused, meta);
      return { ok: false, message: outcome.refused.message };
    case "ok":
      if (outcome.resetCompleted) await announceAdminReset(userId, meta);
      if (outcome.remainingRecoveryCodes !== undefined) await announceRecoveryCodeUse(userId, outcome.remainingRecoveryCodes, "sign_in", meta);
      return { ok: true, trustedDeviceToken: outcome.device?.token, trustedUntil: outcome.device?.expiresAt, remainingRecoveryCodes: outcome.remainingRecoveryCodes };
    case "failed":
      return afterFailure(userId, outcome, meta);
  }
}

async function afterFailure(userId: string, outcome: { failures: number; counted: FailureCount; replayed?: boolean; message?: string }, meta: RequestMeta): Promise<VerifyResult> {
  if (outcome.failures === 1) {
    // The password was right: the owner must know someone has it.
    await notifyUser(userId, "Someone entered your password but not your second factor", [
      "Someone entered your Tessera password correctly, then failed the second factor.",
      "If this was you, you can ignore this email. If not, change your password now: your second factor kept them out.",
    ], meta);
  }
  await announceSecondStepFailure(userId, { ...outcome.counted, replayed: outcome.replayed }, meta);
  if (outcome.counted.blocking) return { ok: false, message: SECOND_STEP_BLOCKED_MESSAGE };
  if (outcome.counted.locking) return { ok: false, message: "Too many failed attempts for this account. Try again in 15 minutes.", restart: true };
  if (outcome.failures >= CHALLENGE_MAX_FAILURES) {
    return { ok: false, message: "Too many failed attempts. Enter your email and password again to get a new chance.", restart: true };
  }
  const left = CHALLENGE_MAX_FAILURES - outcome.failures;
  return { ok: false, message: `${outcome.message ?? "That code didn't work."} ${left} ${left === 1 ? "try" : "tries"} left.` };
}
