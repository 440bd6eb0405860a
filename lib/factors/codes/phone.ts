import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from "libphonenumber-js/max";

export type { CountryCode };

export type ParsedPhone = { ok: true; e164: string } | { ok: false; message: string };

const EXAMPLE = "like +1 415 555 2671";

export const PHONE_ERRORS = {
  EMPTY: "Enter your phone number.",
  CHARACTERS: `Use only digits, spaces and + ( ) - in a phone number, ${EXAMPLE}.`,
  NO_COUNTRY: `Enter a phone number with its country code, ${EXAMPLE}.`,
  TOO_SHORT: `That phone number is too short. Enter it with its country code, ${EXAMPLE}.`,
  TOO_LONG: "That phone number is too long. Check it for extra digits.",
  UNKNOWN_COUNTRY: `That country code doesn't exist. Check the digits after the +, ${EXAMPLE}.`,
  INVALID: `That isn't a valid phone number. Check it and its country code, ${EXAMPLE}.`,
} as const;

// Letters are refused rather than read as a keypad ("1-800-FLOWERS") or an extension
// ("x12"): a number that receives codes is typed as digits, and an extension cannot get an SMS.
const ALLOWED = /^\+?[\d\s().\-/]*$/;

/**
 * Reads a phone number as people type it and returns it in E.164. Without a country code
 * it is read as a number of `defaultCountry`; without either it is refused. Validation
 * uses the full metadata, so impossible ranges (+1 555…) fail, not only wrong lengths.
 */
export function parsePhone(input: string, defaultCountry?: CountryCode): ParsedPhone {
  const text = input.trim();
  if (!text) return { ok: false, message: PHONE_ERRORS.EMPTY };
  if (!ALLOWED.test(text)) return { ok: false, message: PHONE_ERRORS.CHARACTERS };
  if (!/\d/.test(text) || (!text.startsWith("+") && !defaultCountry)) return { ok: false, message: PHONE_ERRORS.NO_COUNTRY };

  switch (validatePhoneNumberLength(text, defaultCountry)) {
    case undefined:
      break;
    case "TOO_SHORT":
      return { ok: false, message: PHONE_ERRORS.TOO_SHORT };
    case "TOO_LONG":
      return { ok: false, message: PHONE_ERRORS.TOO_LONG };
    case "INVALID_COUNTRY":
      return { ok: false, message: PHONE_ERRORS.UNKNOWN_COUNTRY };
    default:
      return { ok: false, message: PHONE_ERRORS.INVALID };
  }
  const phone = parsePhoneNumberFromString(text, defaultCountry);
  if (!phone?.isValid()) return { ok: false, message: PHONE_ERRORS.INVALID };
  return { ok: true, e164: phone.number };
}

/**
 * "+1 ••• ••• 2671": the country code and the last four digits, enough for a person to
 * recognise their number, in the number's own grouping.
 */
export function maskPhone(e164: string): string {
  const phone = parsePhoneNumberFromString(e164);
  const prefix = phone ? `+${phone.countryCallingCode}` : "+";
  const rest = phone ? phone.formatInternational().slice(prefix.length) : e164.replace(/^\+/, "");
  let visible = 4;
  const masked = [...rest]
    .reverse()
    .map((char) => (/\d/.test(char) && visible-- <= 0 ? "•" : char))
    .reverse()
    .join("");
  return `${prefix}${masked}`;
}

/**
 * "a••@example.com": the first character and the domain. Short local parts still get two
 * dots, so the mask does not give away a one- or two-letter name.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const local = at < 0 ? email : email.slice(0, at);
  const domain = at < 0 ? "" : email.slice(at);
  return `${local.slice(0, 1)}${"•".repeat(Math.max(2, local.length - 1))}${domain}`;
}
