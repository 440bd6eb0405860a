"use server";

import { z } from "zod";
import { STEP_UP_MESSAGE, validatedActionWithStepUp, type ActionState } from "@/lib/auth/action";
import { currentUser } from "@/lib/auth/current-user";
import { requestMeta } from "@/lib/auth/request-meta";
import { hasFreshStepUp } from "@/lib/auth/step-up";
import { beginEmail, beginSms, finishEmail, finishSms } from "@/lib/factors/codes/enroll";
import { announceFactor, type EnrollResult } from "@/lib/factors/enroll";
import { finishTotp } from "@/lib/factors/totp/enroll";
import { beginWebAuthnRegistration, finishWebAuthnRegistration } from "@/lib/factors/webauthn/webauthn";
import { readWebAuthnResponse } from "@/lib/factors/webauthn/webauthn-response";

/** What an enrollment step returns: on success, the recovery codes when 2FA just turned on. */
export type EnrollState = ActionState<{ recoveryCodes?: string[]; sentTo?: string; resendAt?: string; phone?: string }>;

const code = z.string({ error: "Enter the code." }).trim().min(1, "Enter the code.").max(12, "Enter the 6-digit code.");

function enrolled(result: EnrollResult): EnrollState {
  if (!result.ok) return result.field ? { fieldErrors: { [result.field]: [result.message] } } : { error: result.message };
  return { ok: true, data: { recoveryCodes: result.recoveryCodes } };
}

export const finishTotpAction = validatedActionWithStepUp(
  z.object({ enrollment: z.string().min(1).max(2048), code, label: z.string().max(60, "Use at most 60 characters.").default("") }),
  async (input, user): Promise<EnrollState> => enrolled(await finishTotp(user, input, await requestMeta())),
);

export const beginEmailAction = validatedActionWithStepUp(z.object({}), async (_input, user): Promise<EnrollState> => {
  const sent = await beginEmail(user, await requestMeta());
  return sent.ok ? { ok: true, data: { sentTo: sent.sentTo, resendAt: sent.resendAt.toISOString() } } : { error: sent.message };
});

export const finishEmailAction = validatedActionWithStepUp(z.object({ code }), async ({ code }, user): Promise<EnrollState> =>
  enrolled(await finishEmail(user, code, await requestMeta())),
);

export const beginSmsAction = validatedActionWithStepUp(
  z.object({ phone: z.string({ error: "Enter your phone number." }).trim().min(1, "Enter your phone number.").max(32, "That number is too long.") }),
  async ({ phone }, user): Promise<EnrollState> => {
    const sent = await beginSms(user, phone, await requestMeta());
    if (!sent.ok) return sent.field ? { fieldErrors: { [sent.field]: [sent.message] } } : { error: sent.message };
    return { ok: true, data: { phone: sent.phone, sentTo: sent.sentTo, resendAt: sent.resendAt.toISOString() } };
  },
);

export const finishSmsAction = validatedActionWithStepUp(z.object({ phone: z.string().max(32), code }), async (input, user): Promise<EnrollState> =>
  enrolled(await finishSms(user, input, await requestMeta())),
);

/** Registration options for a new security key, or an error the page shows. */
export async function webauthnRegistrationOptionsAction(): Promise<{ ok: true; options: unknown } | { ok: false; error: string; stepUp?: boolean }> {
  const user = await currentUser();
  if (!user) return { ok: false, error: "Your session has ended. Sign in again." };
  if (!(await hasFreshStepUp(user.id, user.sessionId))) return { ok: false, error: STEP_UP_MESSAGE, stepUp: true };
  const result = await beginWebAuthnRegistration(user, await requestMeta());
  return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message };
}

export async function finishWebAuthnAction(label: string, response: string): Promise<EnrollState> {
  const user = await currentUser();
  if (!user) return { error: "Your session has ended. Sign in again." };
  if (!(await hasFreshStepUp(user.id, user.sessionId))) return { error: STEP_UP_MESSAGE, stepUp: true };
  const read = readWebAuthnResponse(response, "registration");
  if (!read.ok) return { error: read.message };
  const meta = await requestMeta();
  const result = await finishWebAuthnRegistration({ userId: user.id, sessionId: user.sessionId, label: typeof label === "string" ? label : undefined, response: read.response }, meta);
  if (!result.ok) return result.code === "INVALID_LABEL" ? { fieldErrors: { label: [result.message] } } : { error: result.message };
  await announceFactor(user.id, "webauthn", meta);
  return { ok: true, data: { recoveryCodes: result.recoveryCodes } };
}
