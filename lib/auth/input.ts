import { z } from "zod";
import { readWebAuthnResponse, type WebAuthnResponseKind } from "@/lib/factors/webauthn/webauthn-response";
import { PASSWORD_MAX, PASSWORD_MIN } from "./password-policy";

/** Emails are trimmed and lower-cased here, the one place they enter the system. */
export const emailField = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like name@example.com."));


export const newPasswordField = z
  .string({ error: "Choose a password." })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`);

export const signUpInput = z.object({
  name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(100, "Use at most 100 characters."),
  email: emailField,
  password: newPasswordField,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: emailField,
  // No length rule on sign-in: a wrong password must look like any other wrong password.
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(PASSWORD_MAX, "Wrong email or password."),
});
export type SignInInput = z.infer<typeof signInInput>;

/** The team a team action names: a uuid, or the page is out of date. */
export const teamIdField = z.uuid({ error: "This team could not be found. Reload the page and try again." });

/** A checkbox or switch: "on" when ticked, absent when not (anything longer is malformed). */
export const checkboxField = z
  .string()
  .max(10)
  .optional()
  .transform((value) => value === "on");

/**
 * The browser's WebAuthn answer as an action argument: the JSON text in, the checked response
 * out, or the reader's own message ("not readable", an over-long credential id).
 */
export function webauthnResponseField<K extends WebAuthnResponseKind>(kind: K) {
  // Typed as the string the browser sends; whatever arrives, the reader checks it.
  return z.custom<string>().transform((json, ctx) => {
    const read = readWebAuthnResponse(json, kind);
    if (read.ok) return read.response;
    ctx.addIssue({ code: "custom", message: read.message });
    return z.NEVER;
  });
}
