import { and, eq } from "drizzle-orm";
import type { RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { factors, users } from "@/lib/db/schema";
import { issueOtp, methodUnusable, type IssueOtpErrorCode } from "./otp";
import { maskEmail, maskPhone } from "./phone";

export type SendCodeResult =
  | { ok: true; resendAt: Date; sentTo: string }
  /**
   * `code` lets a caller react to the kind of refusal (BLOCKED: lib/auth/second-step-guard.ts);
   * `unusable`: no waiting cures it, point at the other methods (methodUnusable); `callInstead`:
   * the number is a landline, a voice call works.
   */
  | { ok: false; code: IssueOtpErrorCode | "NOT_SET_UP" | "BLOCKED"; message: string; retryAfterSeconds?: number; unusable?: boolean; callInstead?: boolean };

/**
 * Sends a code to the user's enrolled email address or phone (SMS, or a voice call to the
 * SMS number) for a sign-in challenge or a step-up.
 */
export async function sendFactorCode(
  input: { userId: string; purpose: "sign_in" | "step_up"; channel: "email" | "sms" | "voice"; challengeId?: string },
  meta: RequestMeta,
): Promise<SendCodeResult> {
  const kind = input.channel === "email" ? "email" : "sms";
  const [factor] = await db()
    .select({ phone: factors.phone, email: users.email })
    .from(factors)
    .innerJoin(users, eq(users.id, factors.userId))
    .where(and(eq(factors.userId, input.userId), eq(factors.kind, kind)));
  if (!factor) return { ok: false, code: "NOT_SET_UP", message: "That method is not set up on this account." };
  const destination = kind === "email" ? factor.email : factor.phone!;
  const sent = await issueOtp({ userId: input.userId, purpose: input.purpose, channel: input.channel, destination, challengeId: input.challengeId ?? null }, meta);
  if (!sent.ok) {
    return { ok: false, code: sent.code, message: sent.message, retryAfterSeconds: sent.retryAfterSeconds, unusable: methodUnusable(sent.code), callInstead: sent.callInstead };
  }
  return { ok: true, resendAt: sent.resendAt, sentTo: kind === "email" ? maskEmail(destination) : maskPhone(destination) };
}
