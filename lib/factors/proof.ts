import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { eq, sql } from "drizzle-orm";
import type { RequestMeta } from "@/lib/audit";
import type { Executor } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { verifyCodeProof } from "./codes/verify";
import { verifyRecoveryProof } from "./recovery/verify";
import { verifyTotpProof } from "./totp/verify";
import { verifyWebAuthnProof } from "./webauthn/verify";

/** What a person offers as their second factor. */
export type FactorProof = CodeProof | WebAuthnProof;
export type CodeProof = { method: "totp" | "email" | "sms" | "recovery_code"; code: string };
export type WebAuthnProof = { method: "webauthn"; response: AuthenticationResponseJSON };
type ProofOf<M extends ProofMethod> = M extends "webauthn" ? WebAuthnProof : CodeProof;

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
  context: ProofContext,
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

export type ProofContext = { purpose: "sign_in" | "step_up"; challengeId?: string; sessionId?: string };

/** Each method's check, in its kind's folder. */
const CHECKS: { [M in ProofMethod]: (ex: Executor, userId: string, proof: ProofOf<M>, context: ProofContext, meta: RequestMeta) => Promise<ProofResult> } = {
  totp: verifyTotpProof,
  email: verifyCodeProof,
  sms: verifyCodeProof,
  recovery_code: verifyRecoveryProof,
  webauthn: verifyWebAuthnProof,
};

function checkProof(ex: Executor, userId: string, proof: FactorProof, context: ProofContext, meta: RequestMeta): Promise<ProofResult> {
  const check = CHECKS[proof.method] as (ex: Executor, userId: string, proof: FactorProof, context: ProofContext, meta: RequestMeta) => Promise<ProofResult>;
  return check(ex, userId, proof, context, meta);
}
