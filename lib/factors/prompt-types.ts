import type { FactorKind } from "@/lib/db/schema";

/** One way a person can prove their second factor, as the prompt shows it. */
export type PromptMethod = { kind: FactorKind; label: string; hint: string };

export type CodeMethod = "totp" | "email" | "sms" | "recovery_code";

/** What the prompt's server actions answer. */
export type VerifyAnswer = { ok: true; remainingRecoveryCodes?: number } | { ok: false; error: string; restart?: boolean };
/** Security-key request options, or why there are none (expired sign-in, no key, too many requests). */
export type OptionsAnswer = { ok: true; options: unknown } | { ok: false; error: string; restart?: boolean };
export type SendAnswer =
  | { ok: true; resendAt: string; sentTo: string }
  /**
   * `unusable`: the method cannot work now (no SMS credits, not allowed, a number the team
   * does not send to, SMS paused): the prompt points at the others. `callInstead`: texts
   * cannot reach the number (a landline), so the prompt offers the call.
   */
  | { ok: false; error: string; retryAfterSeconds?: number; restart?: boolean; unusable?: boolean; callInstead?: boolean };

/** The server actions a second-factor prompt calls (sign-in challenge or step-up). */
export type PromptActions = {
  verifyCode: (method: CodeMethod, code: string, remember: boolean) => Promise<VerifyAnswer>;
  sendCode: (channel: "email" | "sms" | "voice") => Promise<SendAnswer>;
  webauthnOptions: () => Promise<OptionsAnswer>;
  verifyWebAuthn: (responseJson: string, remember: boolean) => Promise<VerifyAnswer>;
};
