"use server";

import { z } from "zod";
import { typedAction } from "@/lib/auth/action";
import { webauthnResponseField } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { sendStepUpCode, stepUp } from "@/lib/auth/step-up";
import type { OptionsAnswer, SendAnswer, VerifyAnswer } from "@/lib/factors/prompt-types";
import { beginWebAuthnAuthentication } from "@/lib/factors/webauthn/webauthn";

// `session`: the step-up prompt is how a person proves a factor, on the pages a blocked user may still reach too.

export const verifyStepUpCode = typedAction(
  { auth: "session", args: z.tuple([z.enum(["totp", "email", "sms", "recovery_code"]), z.string().trim().min(1, "Enter the code.").max(40)]) },
  async ([method, code], user): Promise<VerifyAnswer> => {
    const result = await stepUp(user, { method, code }, await requestMeta());
    return result.ok ? { ok: true } : { ok: false, error: result.message };
  },
);

export const sendStepUpCodeAction = typedAction(
  { auth: "session", args: z.tuple([z.enum(["email", "sms", "voice"], { error: "Choose email, text message or a call." })]) },
  async ([channel], user): Promise<SendAnswer> => {
    const sent = await sendStepUpCode(user.id, channel, await requestMeta());
    return sent.ok
      ? { ok: true, resendAt: sent.resendAt.toISOString(), sentTo: sent.sentTo }
      : { ok: false, error: sent.message, retryAfterSeconds: sent.retryAfterSeconds, unusable: sent.unusable, callInstead: sent.callInstead };
  },
);

export const stepUpWebAuthnOptions = typedAction({ auth: "session", args: z.tuple([]) }, async (_args, user): Promise<OptionsAnswer> => {
  const result = await beginWebAuthnAuthentication(user.id, { ceremony: "step_up", sessionId: user.sessionId }, await requestMeta());
  return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message };
});

export const verifyStepUpWebAuthn = typedAction(
  { auth: "session", args: z.tuple([webauthnResponseField("authentication")]) },
  async ([response], user): Promise<VerifyAnswer> => {
    const result = await stepUp(user, { method: "webauthn", response }, await requestMeta());
    return result.ok ? { ok: true } : { ok: false, error: result.message };
  },
);
