import { parsePhoneNumberFromString, type CountryCode, type PhoneNumberType } from "libphonenumber-js/max";

/**
 * What a phone number is, as far as the numbering plan tells: its country and its line
 * type. The `max` metadata is the build of libphonenumber-js that carries the number ranges
 * per type (premium-rate, toll-free, VoIP, …); the `min` one only knows lengths.
 *
 * The type comes from the ranges a country's regulator set aside, not from the carrier: a
 * number ported to a VoIP service, or a VoIP range the plan files under mobile, reads as
 * mobile here. libphonenumber therefore knows VoIP only where the plan has ranges for it
 * (e.g. the UK's 056, France's 09). A carrier lookup (Twilio Lookup's line type, an HLR
 * query) is the next step when that matters; it costs a paid request per number.
 */
export type NumberInfo = {
  /** ISO 3166-1 alpha-2; null for numbers of no country (+800 freephone, +881 satellite, +882/+883 networks, +979 premium). */
  country: CountryCode | null;
  /** null when the plan cannot tell (the US and Canada share one range for mobile and fixed lines, and some countries list nothing). */
  lineType: PhoneNumberType | null;
  /**
   * The block of 1,000 numbers this one sits in: the E.164 number without its last three
   * digits. Carriers hand out numbers in such blocks, and SMS pumping walks through one.
   */
  range: string;
};

export function classifyNumber(e164: string): NumberInfo {
  const phone = parsePhoneNumberFromString(e164);
  return { country: phone?.country ?? null, lineType: phone?.getType() ?? null, range: e164.slice(0, -3) };
}

/**
 * Numbers no code is ever sent to, by anyone: none of them is a person's own phone, and
 * the first three are where toll fraud earns its money (the caller pays, the number's owner
 * is paid). Personal numbers (UK 070) and UANs forward to a number we cannot see; voicemail
 * and pager numbers cannot answer; toll-free numbers bill the receiving side and are a
 * known pumping target for voice.
 */
export const REFUSED_LINE_TYPES: ReadonlySet<PhoneNumberType> = new Set<PhoneNumberType>([
  "PREMIUM_RATE",
  "SHARED_COST",
  "TOLL_FREE",
  "UAN",
  "PERSONAL_NUMBER",
  "VOICEMAIL",
  "PAGER",
]);

/** Who asked for the send: a team member's own sign-in code, or the team's Verify API. */
export type SendUse = "members" | "api";

/** A team's choices for where its codes may go (teams.sms_countries, sms_voip_members, sms_voip_api). */
export type NumberPolicy = { countries: readonly string[]; voipMembers: boolean; voipApi: boolean };

export type NumberRefusal =
  /** The country is not on the team's list; `country` null for a number of no country. */
  | { code: "COUNTRY_NOT_ALLOWED"; country: CountryCode | null }
  /**
   * The line type: `never` for REFUSED_LINE_TYPES, `landline` for a text to a fixed line
   * (it cannot receive one; a call can), `voip` for a VoIP number the team did not allow.
   */
  | { code: "LINE_TYPE_NOT_ALLOWED"; lineType: PhoneNumberType; rule: "never" | "landline" | "voip" };

/**
 * Whether a paid message may go to this number; null to go ahead. The refused types come
 * first: a premium-rate number is refused for what it is, wherever it is.
 *
 * VoIP: members' sign-in codes refuse it unless the team allows it (NIST SP 800-63B §5.1.3.3:
 * a code to a VoIP number does not prove possession of a device, and such numbers are easily
 * taken over); the Verify API allows it unless the team turns it off, since a developer's own
 * users are the developer's call. A number whose type the plan cannot tell is allowed: most
 * North American numbers read so, and refusing them would refuse the continent.
 */
export function numberRefusal(info: NumberInfo, channel: "sms" | "voice", use: SendUse, policy: NumberPolicy): NumberRefusal | null {
  const { lineType } = info;
  if (lineType && REFUSED_LINE_TYPES.has(lineType)) return { code: "LINE_TYPE_NOT_ALLOWED", lineType, rule: "never" };
  if (!info.country || !policy.countries.includes(info.country)) return { code: "COUNTRY_NOT_ALLOWED", country: info.country };
  if (lineType === "FIXED_LINE" && channel === "sms") return { code: "LINE_TYPE_NOT_ALLOWED", lineType, rule: "landline" };
  if (lineType === "VOIP" && !(use === "members" ? policy.voipMembers : policy.voipApi)) return { code: "LINE_TYPE_NOT_ALLOWED", lineType, rule: "voip" };
  return null;
}

/** "a premium-rate number", for messages. */
export function lineTypeArticle(lineType: PhoneNumberType): string {
  return LINE_TYPE_NAMES[lineType];
}

const LINE_TYPE_NAMES: Record<PhoneNumberType, string> = {
  PREMIUM_RATE: "a premium-rate number",
  SHARED_COST: "a shared-cost number",
  TOLL_FREE: "a toll-free number",
  UAN: "a company's universal access number",
  PERSONAL_NUMBER: "a personal forwarding number",
  VOICEMAIL: "a voicemail access number",
  PAGER: "a pager number",
  VOIP: "an internet phone (VoIP) number",
  FIXED_LINE: "a landline",
  FIXED_LINE_OR_MOBILE: "a phone number",
  MOBILE: "a mobile number",
};

/** "+447400123xxx": a range as people read it. */
export const rangeLabel = (range: string) => `${range}xxx`;
