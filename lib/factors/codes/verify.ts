import { and, eq } from "drizzle-orm";
import type { Executor } from "@/lib/db";
import { factors } from "@/lib/db/schema";
import type { CodeProof, ProofContext, ProofResult } from "../proof";
import { verifyOtp } from "./otp";

/** An email or SMS code, bound to the sign-in challenge when there is one. */
export async function verifyCodeProof(ex: Executor, userId: string, proof: CodeProof, context: ProofContext): Promise<ProofResult> {
  const result = await verifyOtp({ userId, purpose: context.purpose, code: proof.code, challengeId: context.challengeId ?? null }, ex);
  if (!result.ok) return { ok: false, message: result.message };
  const kind = result.channel === "email" ? "email" : "sms"; // a voice call reads the SMS factor's code
  await ex
    .update(factors)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(factors.userId, userId), eq(factors.kind, kind)));
  return { ok: true, method: kind };
}
