import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { and, eq, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import type { Executor } from "@/lib/db";
import { factors, users } from "@/lib/db/schema";
import { verifyOtp } from "./codes/otp";
import { redeemRecoveryCode } from "./recovery/recovery-codes";
import { verifyTotpFactor } from "./totp/totp";
import { verifyWebAuthnAuthentication, type WebAuthnAssertionCeremony } from "./webauthn/webauthn";

/** What a person offers as their second factor. */
export type FactorProof =
  | { method: "totp" | "email" | "sms" | "recovery_code"; code: string }
  | { method: "webauthn"; response: AuthenticationResponseJSON };

export type ProofMethod = FactorProof["method"];

/** `replayed`: a TOTP code that was already used (audited here; the caller emails the owner after the commit). */
export type ProofResult = { ok: true; method: ProofMethod; remainingRecoveryCodes?: number } | { ok: false; message?: string; replayed?: boolean };

/**
 * Checks one proof against the user's enrolled factors — the one place every second-factor
 * check (sign-in challenge, step-up) goes through. Codes sent for a sign-in are bound to
 * that challenge (`challengeId`); step-up codes to no challenge. Security-key assertions are
 * bound to the sign-in challenge, or in step-up to the session (`sessionId`).
 *
 * A success ends the run of consecutive failures (lib/auth/second-step-guard.ts) and, when
 * the factor is not the email code, lifts the email factor's suspension after a password
 * reset: a factor other than the mailbox has now been shown. Both in the caller's transaction.
 */
export async function verifyProof(
  ex: Executor,
  userId: string,
  proof: FactorProof,
  context: { purpose: "sign_in" | "step_up"; challengeId?: string; sessionId?: string },
  meta: RequestMeta,
): Promise<ProofResult> {
  const result = await checkProof(ex, userId, proof, context, meta);
  if (result.ok) {
    await ex
      .update(users)
      .set({ lastTwoFactorAt: sql`now()`, secondFactorFailures: 0, ...(result.method === "email" ? {} : { emailFactorSuspendedAt: null }) })
      .where(eq(users.id, userId));
  }
  return result;
}

async function checkProof(
  ex: Executor,
  userId: string,
  proof: FactorProof,
  context: { purpose: "sign_in" | "step_up"; challengeId?: string; sessionId?: string },
  meta: RequestMeta,
): Promise<ProofResult> {
  switch (proof.method) {
    case "totp": {
      const totps = await ex
        .select()
        .from(factors)
        .where(and(eq(factors.userId, userId), eq(factors.kind, "totp")));
      let replayed = false;
      for (const factor of totps) {
        const check = await verifyTotpFactor(ex, factor, proof.code);
        if (check === "accepted") return { ok: true, method: "totp" };
        replayed ||= check === "replayed";
      }
      if (replayed) await recordAudit(ex, { type: "factor.totp_replayed", userId, data: { context: context.purpose }, ...meta });
      return { ok: false, replayed };
    }
    case "email":
    case "sms": {
      const result = await verifyOtp({ userId, purpose: context.purpose, code: proof.code, challengeId: context.challengeId ?? null }, ex);
      if (!result.ok) return { ok: false, message: result.message };
      const kind = result.channel === "email" ? "email" : "sms"; // a voice call reads the SMS factor's code
      await ex
        .update(factors)
        .set({ lastUsedAt: new Date() })
        .where(and(eq(factors.userId, userId), eq(factors.kind, kind)));
      return { ok: true, method: kind };
    }
    case "recovery_code": {
      const used = await redeemRecoveryCode(ex, userId, proof.code, meta);
      return used ? { ok: true, method: "recovery_code", remainingRecoveryCodes: used.remaining } : { ok: false };
    }
    case "webauthn": {
      // An assertion counts only for the request it answers: this sign-in challenge, or this session's step-up.
      const ceremony: WebAuthnAssertionCeremony | null =
        context.purpose === "sign_in"
          ? context.challengeId ? { ceremony: "sign_in", signInChallengeId: context.challengeId } : null
          : context.sessionId ? { ceremony: "step_up", sessionId: context.sessionId } : null;
      if (!ceremony) return { ok: false };
      const result = await verifyWebAuthnAuthentication({ userId, ceremony, response: proof.response }, meta, ex);
      return result.ok ? { ok: true, method: "webauthn" } : { ok: false, message: result.message };
    }
  }
}
