"use server";

import { z } from "zod";
import { readChallengeCookie, setTrustedDeviceCookie } from "@/lib/auth/cookies";
import { requestMeta } from "@/lib/auth/request-meta";
import { challengeWebAuthnOptions, sendAdminResetCode, sendChallengeCode, verifyChallenge, type VerifyResult } from "@/lib/auth/second-factor";
import type { CodeMethod, OptionsAnswer, SendAnswer, VerifyAnswer } from "@/lib/factors/prompt-types";
import { readWebAuthnResponse } from "@/lib/factors/webauthn/webauthn-response";

const codeInput = z.object({
  method: z.enum(["totp", "email", "sms", "recovery_code"]),
  code: z.string().trim().min(1, "Enter the code.").max(40, "That code is too long."),
  remember: z.boolean(),
});
const channelInput = z.enum(["email", "sms", "voice"]);

async function answer(result: VerifyResult): Promise<VerifyAnswer> {
  if (!result.ok) return { ok: false, error: result.message, restart: result.restart };
  if (result.trustedDeviceToken && result.trustedUntil) await setTrustedDeviceCookie(result.trustedDeviceToken, result.trustedUntil);
  return { ok: true, remainingRecoveryCodes: result.remainingRecoveryCodes };
}

export async function verifyChallengeCode(method: CodeMethod, code: string, remember: boolean): Promise<VerifyAnswer> {
  const input = codeInput.safeParse({ method, code, remember });
  if (!input.success) return { ok: false, error: input.error.issues[0]!.message };
  const { method: m, code: c } = input.data;
  return answer(await verifyChallenge(await readChallengeCookie(), { method: m, code: c }, { remember: input.data.remember }, await requestMeta()));
}

export async function sendChallengeCodeAction(channel: "email" | "sms" | "voice"): Promise<SendAnswer> {
  const input = channelInput.safeParse(channel);
  if (!input.success) return { ok: false, error: "Choose email, text message or a call." };
  const result = await sendChallengeCode(await readChallengeCookie(), input.data, await requestMeta());
  return result.ok
    ? { ok: true, resendAt: result.resendAt.toISOString(), sentTo: result.sentTo }
    : { ok: false, error: result.message, retryAfterSeconds: result.retryAfterSeconds, restart: result.restart, unusable: result.unusable, callInstead: result.callInstead };
}

const resetCodeInput = z.string().trim().min(1, "Enter the code.").max(40, "That code is too long.");

/** "Lost your factors?": the code goes to the account's own address (lib/auth/admin-reset.ts). */
export async function sendAdminResetCodeAction(): Promise<SendAnswer> {
  const result = await sendAdminResetCode(await readChallengeCookie(), await requestMeta());
  return result.ok
    ? { ok: true, resendAt: result.resendAt.toISOString(), sentTo: result.sentTo }
    : { ok: false, error: result.message, retryAfterSeconds: result.retryAfterSeconds, restart: result.restart };
}

export async function verifyAdminResetCode(code: string): Promise<VerifyAnswer> {
  const input = resetCodeInput.safeParse(code);
  if (!input.success) return { ok: false, error: input.error.issues[0]!.message };
  return answer(await verifyChallenge(await readChallengeCookie(), { method: "admin_reset", code: input.data }, { remember: false }, await requestMeta()));
}

export async function challengeWebAuthnOptionsAction(): Promise<OptionsAnswer> {
  const result = await challengeWebAuthnOptions(await readChallengeCookie(), await requestMeta());
  return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message, restart: result.restart };
}

export async function verifyChallengeWebAuthn(response: string, remember: boolean): Promise<VerifyAnswer> {
  const read = readWebAuthnResponse(response, "authentication");
  if (!read.ok) return { ok: false, error: read.message };
  return answer(await verifyChallenge(await readChallengeCookie(), { method: "webauthn", response: read.response }, { remember: remember === true }, await requestMeta()));
}
