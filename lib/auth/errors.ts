import { waitPhrase } from "@/lib/format/wait";

/** Error codes of the sign-up and sign-in domain, with the message a person sees. */
export const AUTH_ERRORS = {
  EMAIL_TAKEN: () => "An account with this email already exists. Sign in instead?",
  INVALID_CREDENTIALS: () => "Wrong email or password.",
  ACCOUNT_LOCKED: (s?: number) => `Too many wrong passwords for this account. Try again in ${waitPhrase(s)}.`,
  RATE_LIMITED: (s?: number) => `Too many attempts from your network. Try again in ${waitPhrase(s)}.`,
  CHALLENGE_INVALID: () => "Your sign-in has expired. Enter your email and password again.",
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

export type AuthFailure = { ok: false; code: AuthErrorCode; message: string; retryAfterSeconds?: number };

export function authFailure(code: AuthErrorCode, retryAfterSeconds?: number): AuthFailure {
  return { ok: false, code, message: AUTH_ERRORS[code](retryAfterSeconds), retryAfterSeconds };
}
