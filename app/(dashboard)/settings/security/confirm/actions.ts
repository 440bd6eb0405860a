"use server";

import { z } from "zod";
import { currentUser } from "@/lib/auth/current-user";
import { requestMeta } from "@/lib/auth/request-meta";
import { sendStepUpCode, stepUp } from "@/lib/auth/step-up";
import type { CodeMethod, OptionsAnswer, SendAnswer, VerifyAnswer } from "@/lib/factors/prompt-types";
import { beginWebAuthnAuthentication } from "@/lib/factors/webauthn/webauthn";
import { readWebAuthnResponse } from "@/lib/factors/webauthn/webauthn-response";

const SIGNED_OUT = "Your session has ended. Sign in again.";
const codeInput = z.object({ method: z.enum(["totp", "email", "sms", "recovery_code"]), code: z.string().trim().min(1, "Enter the code.").max(40) });

export async function verifyStepUpCode(method: CodeMethod, code: string): Promise<VerifyAnswer> {
  const user = await currentUser();
  if (!user) return { ok: false, error: SIGNED_OUT, restart: true };
  const input = codeInput.safeParse({ method, code });
  if (!input.success) return { ok: false, error: input.error.issues[0]!.message };
  const result = await stepUp(user, { method: input.data.method, code: input.data.code }, await requestMeta());
  return result.ok ? { ok: true } : { ok: false, error: result.message };
}

export async function sendStepUpCodeAction(channel: "email" | "sms" | "voice"): Promise<SendAnswer> {
  const user = await currentUser();
  if (!user) return { ok: false, error: SIGNED_OUT, restart: true };
  const parsed = z.enum(["email", "sms", "voice"]).safeParse(channel);
  if (!parsed.success) return { ok: false, error: "Choose email, text message or a call." };
  const sent = await sendStepUpCode(user.id, parsed.data, await requestMeta());
  return sent.ok
    ? { ok: true, resendAt: sent.resendAt.toISOString(), sentTo: sent.sentTo }
    : { ok: false, error: sent.message, retryAfterSeconds: sent.retryAfterSeconds, unusable: sent.unusable, callInstead: sent.callInstead };
}

export async function stepUpWebAuthnOptions(): Promise<OptionsAnswer> {
  const user = await currentUser();
  if (!user) return { ok: false, error: SIGNED_OUT, restart: true };
  const result = await beginWebAuthnAuthentication(user.id, { ceremony: "step_up", sessionId: user.sessionId }, await requestMeta());
  return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message };
}

export async function verifyStepUpWebAuthn(response: string): Promise<VerifyAnswer> {
  const user = await currentUser();
  if (!user) return { ok: false, error: SIGNED_OUT, restart: true };
  const read = readWebAuthnResponse(response, "authentication");
  if (!read.ok) return { ok: false, error: read.message };
  const result = await stepUp(user, { method: "webauthn", response: read.response }, await requestMeta());
  return result.ok ? { ok: true } : { ok: false, error: result.message };
}
