import { and, eq } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import type { Executor } from "@/lib/db";
import { factors } from "@/lib/db/schema";
import type { CodeProof, ProofContext, ProofResult } from "../proof";
import { verifyTotpFactor } from "./totp";

/** Any of the user's authenticator apps may answer; a replayed code is audited here. */
export async function verifyTotpProof(ex: Executor, userId: string, proof: CodeProof, context: ProofContext, meta: RequestMeta): Promise<ProofResult> {
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
