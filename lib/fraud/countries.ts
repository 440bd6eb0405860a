import { getCountries, getCountryCallingCode, type CountryCode } from "libphonenumber-js/max";

/**
 * Where a new team's SMS and voice codes may go until an owner changes it: North America,
 * the EU/EFTA countries with the lowest SMS termination rates, the UK, Ireland, Australia and
 * New Zealand. Toll fraud (IRSF, "SMS pumping") pays off where a call or text earns the
 * receiving carrier the most, and those ranges sit almost entirely outside this list, while
 * it covers most of a typical early customer's people. The owner's own country is not known
 * at sign-up (no phone yet), so it cannot be the default; a team elsewhere adds its country
 * once, with a fresh second factor (Team → SMS & voice).
 */
export const DEFAULT_SMS_COUNTRIES: readonly CountryCode[] = [
  "US", "CA", "GB", "IE", "DE", "FR", "ES", "IT", "NL", "BE", "LU",
  "AT", "CH", "PT", "SE", "NO", "DK", "FI", "IS", "AU", "NZ",
];

export type Country = { code: CountryCode; name: string; callingCode: string };

const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

export function countryName(code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

let all: Country[] | undefined;

/** Every country libphonenumber knows, by English name. */
export function listCountries(): Country[] {
  all ??= getCountries()
    .map((code) => ({ code, name: countryName(code), callingCode: getCountryCallingCode(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
  return all;
}

const known = new Set<string>(getCountries());

export function isCountryCode(value: string): value is CountryCode {
  return known.has(value);
}
