"use server";

import { after } from "next/server";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { readTrustedDeviceCookie, setChallengeCookie, setTrustedDeviceCookie } from "@/lib/auth/cookies";
import { emailField, newPasswordField, signInInput, signUpInput } from "@/lib/auth/input";
import { requestPasswordReset, resetPassword } from "@/lib/auth/password-reset";
import { requestMeta } from "@/lib/auth/request-meta";
import { unblockSecondFactor } from "@/lib/auth/second-step-guard";
import { passwordStep } from "@/lib/auth/sign-in";
import { signUp } from "@/lib/auth/sign-up";

export type SignInState = ActionState<{ secondFactorRequired: boolean }>;

export const signInAction = formAction({ schema: signInInput }, async (input): Promise<SignInState> => {
  const result = await passwordStep(input, await requestMeta(), await readTrustedDeviceCookie());
  if (!result.ok) return refusalState(result);
  await setChallengeCookie(result.challengeToken);
  // The remembered-device token was used up: the browser keeps only the new one.
  if (result.trustedDevice) await setTrustedDeviceCookie(result.trustedDevice.token, result.trustedDevice.expiresAt);
  return { ok: true, data: { secondFactorRequired: result.secondFactorRequired } };
});

export const signUpAction = formAction({ schema: signUpInput }, async (input): Promise<ActionState> => {
  const result = await signUp(input, await requestMeta());
  if (!result.ok) return refusalState(result);
  await setChallengeCookie(result.challengeToken);
  return { ok: true };
});

export const forgotPasswordAction = formAction({ schema: z.object({ email: emailField }) }, async ({ email }): Promise<ActionState> => {
  const result = await requestPasswordReset(email, await requestMeta());
  if (!result.ok) return refusalState(result);
  after(result.delivered); // the email goes out after the answer, which never waits for it
  return { ok: true };
});

export const resetPasswordAction = formAction(
  { schema: z.object({ token: z.string().min(1).max(200), password: newPasswordField }) },
  async ({ token, password }): Promise<ActionState> => {
    const result = await resetPassword(token, password, await requestMeta());
    return result.ok ? { ok: true } : refusalState(result);
  },
);

// A malformed token is a dead link: the lib answers it with the same message.
export const unblockSignInAction = formAction({ schema: z.object({ token: z.string().max(200).catch("") }) }, async ({ token }): Promise<ActionState> => {
  const result = await unblockSecondFactor(token, await requestMeta());
  return result.ok ? { ok: true } : refusalState(result);
});
