"use server";

import { z } from "zod";
import { formAction, refusalState, typedAction, type ActionState } from "@/lib/auth/action";
import { webauthnResponseField } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { beginEmail, beginSms, finishEmail, finishSms } from "@/lib/factors/codes/enroll";
import { announceFactor, type EnrollResult } from "@/lib/factors/enroll";
import { finishTotp } from "@/lib/factors/totp/enroll";
import { beginWebAuthnRegistration, finishWebAuthnRegistration } from "@/lib/factors/webauthn/webauthn";

/** What an enrollment step returns: on success, the recovery codes when 2FA just turned on. */
export type EnrollState = ActionState<{ recoveryCodes?: string[]; sentTo?: string; resendAt?: string; phone?: string }>;

const code = z.string({ error: "Enter the code." }).trim().min(1, "Enter the code.").max(12, "Enter the 6-digit code.");

function enrolled(result: EnrollResult): EnrollState {
  if (!result.ok) return refusalState(result);
  return { ok: true, data: { recoveryCodes: result.recoveryCodes } };
}

export const finishTotpAction = formAction(
  { auth: "stepUp", schema: z.object({ enrollment: z.string().min(1).max(2048), code, label: z.string().max(60, "Use at most 60 characters.").default("") }) },
  async (input, user): Promise<EnrollState> => enrolled(await finishTotp(user, input, await requestMeta())),
);

export const beginEmailAction = formAction({ auth: "stepUp", schema: z.object({}) }, async (_input, user): Promise<EnrollState> => {
  const sent = await beginEmail(user, await requestMeta());
  return sent.ok ? { ok: true, data: { sentTo: sent.sentTo, resendAt: sent.resendAt.toISOString() } } : refusalState(sent);
});

export const finishEmailAction = formAction({ auth: "stepUp", schema: z.object({ code }) }, async ({ code }, user): Promise<EnrollState> =>
  enrolled(await finishEmail(user, code, await requestMeta())),
);

export const beginSmsAction = formAction(
  { auth: "stepUp", schema: z.object({ phone: z.string({ error: "Enter your phone number." }).trim().min(1, "Enter your phone number.").max(32, "That number is too long.") }) },
  async ({ phone }, user): Promise<EnrollState> => {
    const sent = await beginSms(user, phone, await requestMeta());
    if (!sent.ok) return refusalState(sent);
    return { ok: true, data: { phone: sent.phone, sentTo: sent.sentTo, resendAt: sent.resendAt.toISOString() } };
  },
);

export const finishSmsAction = formAction({ auth: "stepUp", schema: z.object({ phone: z.string().max(32), code }) }, async (input, user): Promise<EnrollState> =>
  enrolled(await finishSms(user, input, await requestMeta())),
);

/** Registration options for a new security key, or an error the page shows. */
export const webauthnRegistrationOptionsAction = typedAction(
  { auth: "stepUp", args: z.tuple([]) },
  async (_args, user): Promise<{ ok: true; options: unknown } | { ok: false; error: string; stepUp?: boolean }> => {
    const result = await beginWebAuthnRegistration(user, await requestMeta());
    return result.ok ? { ok: true, options: result.options } : { ok: false, error: result.message };
  },
);

export const finishWebAuthnAction = typedAction(
  // A label that is not text is no label: finishWebAuthnRegistration names the key itself.
  { auth: "stepUp", args: z.tuple([z.string().optional().catch(undefined), webauthnResponseField("registration")]) },
  async ([label, response], user): Promise<EnrollState> => {
    const meta = await requestMeta();
    const result = await finishWebAuthnRegistration({ userId: user.id, sessionId: user.sessionId, label, response }, meta);
    if (!result.ok) return refusalState(result, result.code === "INVALID_LABEL" ? "label" : undefined);
    await announceFactor(user.id, "webauthn", meta);
    return { ok: true, data: { recoveryCodes: result.recoveryCodes } };
  },
);
