"use server";

import { validatedAction, type ActionState } from "@/lib/auth/action";
import { readTrustedDeviceCookie, setChallengeCookie } from "@/lib/auth/cookies";
import { signInInput, signUpInput } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { passwordStep } from "@/lib/auth/sign-in";
import { signUp } from "@/lib/auth/sign-up";

export type SignInState = ActionState<{ secondFactorRequired: boolean }>;

export const signInAction = validatedAction(signInInput, async (input): Promise<SignInState> => {
  const result = await passwordStep(input, await requestMeta(), await readTrustedDeviceCookie());
  if (!result.ok) return { error: result.message };
  await setChallengeCookie(result.challengeToken);
  return { ok: true, data: { secondFactorRequired: result.secondFactorRequired } };
});

export const signUpAction = validatedAction(signUpInput, async (input): Promise<ActionState> => {
  const result = await signUp(input, await requestMeta());
  if (!result.ok) return result.field ? { fieldErrors: { [result.field]: [result.message] } } : { error: result.message };
  await setChallengeCookie(result.challengeToken);
  return { ok: true };
});
