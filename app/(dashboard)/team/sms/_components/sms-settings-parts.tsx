import type { Ref } from "react";
import { Alert } from "@/components/ui/alert";
import type { Country } from "@/lib/fraud/countries";
import type { MemberPhones } from "@/lib/teams/sms-settings";

/** The two VoIP choices, worded once for the editor and the read-only view. */
export const VOIP_CHOICES = [
  {
    name: "voipMembers",
    label: "Members' sign-in codes to VoIP numbers",
    note: "Off by default. NIST SP 800-63B does not count a code sent to a VoIP number as out of band: whoever gets into the online account behind the number reads the codes.",
  },
  {
    name: "voipApi",
    label: "Verify API codes to VoIP numbers",
    note: "On by default: the people your product verifies are yours to judge. Turn it off to refuse VoIP numbers, which fake sign-ups often use.",
  },
] as const;

export type VoipChoice = (typeof VOIP_CHOICES)[number]["name"];

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** The allowed countries, by name, with their calling codes; a Remove button each when `onRemove` is given. */
export function SmsCountryList({
  countries,
  onRemove,
  removeRef,
  disabled,
}: {
  countries: Country[];
  onRemove?: (code: string) => void;
  /** Receives each Remove button, to move the focus after a removal. */
  removeRef?: (code: string) => Ref<HTMLButtonElement>;
  disabled?: boolean;
}) {
  if (countries.length === 0) return null;
  return (
    <ul className="grid gap-x-6 sm:grid-cols-2" aria-label="Allowed countries" data-testid="sms-countries">
      {countries.map((country) => (
        <li key={country.code} className="flex min-h-10 items-center justify-between gap-3 border-b border-slate-100 py-1.5" data-testid="sms-country">
          <span className="min-w-0 text-sm text-slate-900">
            {country.name} <span className="text-slate-600 tabular-nums">+{country.callingCode}</span>
          </span>
          {onRemove && (
            <button
              type="button"
              ref={removeRef?.(country.code)}
              onClick={() => onRemove(country.code)}
              disabled={disabled}
              aria-label={`Remove ${country.name}`}
              className="shrink-0 rounded-md px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:text-slate-400"
            >
              Remove
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** What an empty list means, said before it is saved and while it is in force. */
export function SmsEmptyWarning({ saved }: { saved: boolean }) {
  return (
    <Alert tone="warning">
      <strong className="font-semibold">No country is on the list.</strong> {saved ? "Every" : "Saving it refuses every"} text message and call of this team
      {saved ? " is refused" : ""}: members&apos; sign-in codes by SMS or voice call, and every SMS or voice code of the Verify API. Authenticator apps,
      security keys and email codes keep working.
    </Alert>
  );
}

/**
 * Members whose own sign-in codes the settings would refuse: numbers in a country not on the
 * list (or in none), and VoIP numbers while those are refused for members.
 */
export function SmsPhoneWarning({ phones, allowed, voipMembers, names }: { phones: MemberPhones; allowed: readonly string[]; voipMembers: boolean; names: ReadonlyMap<string, string> }) {
  const outside = phones.countries
    .filter((c) => c.code === null || !allowed.includes(c.code))
    .map((c) => ({ ...c, name: c.code === null ? null : (names.get(c.code) ?? c.code) }))
    .sort((a, b) => b.count - a.count || String(a.name).localeCompare(String(b.name), "en"));
  const total = outside.reduce((sum, c) => sum + c.count, 0);
  const voip = voipMembers ? 0 : phones.voip;
  if (total === 0 && voip === 0) return null;

  const where = (c: (typeof outside)[number]) => (c.name === null ? "no country (such as +800)" : c.name);
  const refused = "their sign-in codes by SMS or voice call will be refused";
  let countrySentence: string | null = null;
  if (total > 0 && outside.length === 1) {
    const [only] = outside;
    countrySentence =
      only!.name === null
        ? `${plural(total, "member has a phone number", "members have phone numbers")} that belong${total === 1 ? "s" : ""} to no country (such as +800): ${refused}.`
        : `${plural(total, "member has a phone number", "members have phone numbers")} in ${only!.name}, which is not on the list: ${refused}.`;
  } else if (total > 0) {
    countrySentence = `${plural(total, "member has a phone number", "members have phone numbers")} in countries not on the list — ${outside.map((c) => `${where(c)} (${c.count})`).join(", ")}: ${refused}.`;
  }
  return (
    <div data-testid="sms-phone-warning">
      <Alert tone="warning">
        {countrySentence && <p>{countrySentence}</p>}
        {voip > 0 && (
          <p className={countrySentence ? "mt-1" : undefined}>
            {plural(voip, "member's phone number is a VoIP number", "members' phone numbers are VoIP numbers")}: while VoIP numbers are refused for
            members&apos; codes, {voip === 1 ? "their" : "those"} sign-in codes by SMS or voice call will be refused.
          </p>
        )}
        <p className="mt-1 text-xs">Counted: members whose codes this team pays for. They can use an authenticator app or a security key instead.</p>
      </Alert>
    </div>
  );
}
