import type { RequestMeta } from "@/lib/audit";
import type { Executor } from "@/lib/db";
import type { WebAuthnProof, ProofContext, ProofResult } from "../proof";
import { verifyWebAuthnAuthentication, type WebAuthnAssertionCeremony } from "./webauthn";

/** An assertion counts only for the request it answers: this sign-in challenge, or this session's step-up. */
export async function verifyWebAuthnProof(ex: Executor, userId: string, proof: WebAuthnProof, context: ProofContext, meta: RequestMeta): Promise<ProofResult> {
  const ceremony: WebAuthnAssertionCeremony | null =
    context.purpose === "sign_in"
      ? context.challengeId ? { ceremony: "sign_in", signInChallengeId: context.challengeId } : null
      : context.sessionId ? { ceremony: "step_up", sessionId: context.sessionId } : null;
  if (!ceremony) return { ok: false };
  const result = await verifyWebAuthnAuthentication({ userId, ceremony, response: proof.response }, meta, ex);
  return result.ok ? { ok: true, method: "webauthn" } : { ok: false, message: result.message };
}
