import type { RequestMeta } from "@/lib/audit";
import type { Executor } from "@/lib/db";
import type { CodeProof, ProofContext, ProofResult } from "../proof";
import { redeemRecoveryCode } from "./recovery-codes";

export async function verifyRecoveryProof(ex: Executor, userId: string, proof: CodeProof, _context: ProofContext, meta: RequestMeta): Promise<ProofResult> {
  const used = await redeemRecoveryCode(ex, userId, proof.code, meta);
  return used ? { ok: true, method: "recovery_code", remainingRecoveryCodes: used.remaining } : { ok: false };
}
