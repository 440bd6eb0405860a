"use server";

import { z } from "zod";
import { typedAction } from "@/lib/auth/action";
import { setTrustedDeviceCookie } from "@/lib/auth/cookies";
import { webauthnResponseField } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { challengeWebAuthnOptions, sendAdminResetCode, sendChallengeCode, verifyChallenge, type VerifyResult } from "@/lib/auth/second-factor";
import type { OptionsAnswer, SendAnswer, VerifyAnswer } from "@/lib/factors/prompt-types";

const code = z.string().trim().min(1, "Enter the code.").max(40, "That code is too long.");
const channel = z.enum(["email", "sms", "voice"], { error: "Choose email, text message or a call." });
// Anything but `true` is "do not remember", as the checkbox means.
const remember = z.boolean().catch(false);

async function answer(result: VerifyResult): Promise<VerifyAnswer> {
  if (!result.ok) return { ok: false, error: result.message, restart: result.restart };
  if (result.trustedDeviceToken && result.trustedUntil) await setTrustedDeviceCookie(result.trustedDeviceToken, result.trustedUntil);
  return { ok: true, remainingRecoveryCodes: result.remainingRecoveryCodes };
}

export const verifyChallengeCode = typedAction(
  { auth: "challenge", args: z.tuple([z.enum(["totp", "email", "sms", "recovery_code"]), code, z.boolean()]) },
  async ([method, code, remember], challenge): Promise<VerifyAnswer> =>
    answer(await verifyChallenge(challenge, { method, code }, { remember }, await requestMeta())),
);

export const sendChallengeCodeAction = typedAction(
  { auth: "challenge", args: z.tuple([channel]) },
  async ([channel], challenge): Promise<SendAnswer> => {
    const result = await sendChallengeCode(challenge, channel, await requestMeta());
    return result.ok
      ? { ok: true, resendAt: result.resendAt.toISOString(), sentTo: result.sentTo }
      : { ok: false, error: result.message, retryAfterSeconds: result.retryAfterSeconds, restart: result.restart, unusable: result.unusable, callInstead: result.callInstead };
  },
);

/** "Lost your factors?": the code goes to the account's own address (lib/auth/admin-reset.ts). */
export const sendAdminResetCodeAction = typedAction({ auth: "challenge", args: z.tuple([]) }, async (_args, challenge): Promise<SendAnswer> => {
  const result = await sendAdminResetCode(challenge, await requestMeta());
  return result.ok
    ? { ok: true, resendAt: result.resendAt.toISOString(), sentTo: result.sentTo }
    : { ok: false, error: result.message, retryAfterSeconds: result.retryAfterSeconds, restart: result.restart };
});

export const verifyAdminResetCode = typedAction({ auth: "challenge", args: z.tuple([code]) }, async ([code], challenge): Promise<VerifyAnswer> =>
  answer(await verifyChallenge(challenge, { method: "admin_reset", code }, { remember: false }, await requestMeta())),
);

export const challengeWebAuthnOptionsAction = typedAction({ auth: "challenge", args: z.tuple([]) }, async (_args, challenge): Promise<OptionsAnswer> => {
  const result = await challengeWebAuthnOptions(challenge, await requestMeta());
  return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message, restart: result.restart };
});

export const verifyChallengeWebAuthn = typedAction(
  { auth: "challenge", args: z.tuple([webauthnResponseField("authentication"), remember]) },
  async ([response, remember], challenge): Promise<VerifyAnswer> =>
    answer(await verifyChallenge(challenge, { method: "webauthn", response }, { remember }, await requestMeta())),
);
