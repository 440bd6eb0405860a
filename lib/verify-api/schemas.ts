import { z } from "zod";
import { parsePhone } from "@/lib/factors/codes/phone";
import { LOCALES } from "./messages";

/** 20 bits: NIST SP 800-63B §5.1.3.2's least for an out-of-band code. 4 digits fall to 5 guesses in 2 000. */
export const MIN_CODE_LENGTH = 6;
export const MAX_CODE_LENGTH = 10;
export const DEFAULT_CODE_LENGTH = 6;
/** RFC 5321's limit on a whole address path; longer is never a deliverable address. */
const MAX_ADDRESS_LENGTH = 320;

export const BODY_NOT_OBJECT = "The request body must be a JSON object.";

export const FIELD_MESSAGES = {
  to: "`to` is required: a phone number in E.164 format such as +14155552671 (sms, voice) or an email address (email).",
  phone: "`to` must be a phone number in E.164 format with its country code, such as +14155552671, for the sms and voice channels.",
  email: "`to` must be an email address, such as someone@example.com, for the email channel.",
  channel: '`channel` must be one of "sms", "voice" or "email".',
  locale: `\`locale\` must be one of ${LOCALES.map((l) => `"${l}"`).join(", ")}; leave it out for "en".`,
  codeLength: `\`code_length\` must be a whole number from ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH}; leave it out for ${DEFAULT_CODE_LENGTH}.`,
  codeTooShort: `\`code_length\` must be at least ${MIN_CODE_LENGTH} digits: a shorter code is too easy to guess in the 5 tries a verification allows (NIST SP 800-63B asks for 20 bits). Leave it out for ${DEFAULT_CODE_LENGTH}.`,
  code: '`code` must be the code the person typed, as a string of digits such as "123456".',
  fallbackChannel: '`channel` must be "voice": the fallback resends the code as a voice call.',
} as const;

const message = (text: string) => ({ error: text });

/** `POST /verifications`: `to` is normalised (E.164, or a lower-cased address) for its channel. */
export const createVerificationSchema = z
  .strictObject(
    {
      to: z.string(message(FIELD_MESSAGES.to)).max(MAX_ADDRESS_LENGTH, message(FIELD_MESSAGES.to)),
      channel: z.enum(["sms", "voice", "email"], message(FIELD_MESSAGES.channel)),
      locale: z.enum(LOCALES, message(FIELD_MESSAGES.locale)).default("en"),
      code_length: z
        .number(message(FIELD_MESSAGES.codeLength))
        .int(message(FIELD_MESSAGES.codeLength))
        .min(1, message(FIELD_MESSAGES.codeLength))
        .min(MIN_CODE_LENGTH, message(FIELD_MESSAGES.codeTooShort))
        .max(MAX_CODE_LENGTH, message(FIELD_MESSAGES.codeLength))
        .default(DEFAULT_CODE_LENGTH),
    },
    message(BODY_NOT_OBJECT),
  )
  .transform((body, ctx) => {
    if (body.channel === "email") {
      const address = body.to.toLowerCase();
      if (z.email().safeParse(address).success) return { ...body, to: address };
      ctx.addIssue({ code: "custom", path: ["to"], message: FIELD_MESSAGES.email });
      return z.NEVER;
    }
    // No default country: an API caller must say which country a number is in.
    const phone = parsePhone(body.to);
    if (phone.ok && body.to.trim().startsWith("+")) return { ...body, to: phone.e164 };
    ctx.addIssue({ code: "custom", path: ["to"], message: FIELD_MESSAGES.phone });
    return z.NEVER;
  });

export type CreateVerificationInput = z.output<typeof createVerificationSchema>;

/** `POST /verifications/{id}/check`: any string; a wrong length or a letter is simply a wrong code. */
export const checkVerificationSchema = z.strictObject({ code: z.string(message(FIELD_MESSAGES.code)) }, message(BODY_NOT_OBJECT));

export type CheckVerificationInput = z.output<typeof checkVerificationSchema>;

export const fallbackSchema = z.strictObject({ channel: z.literal("voice", message(FIELD_MESSAGES.fallbackChannel)) }, message(BODY_NOT_OBJECT));

export type FallbackInput = z.output<typeof fallbackSchema>;
