import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SmsResumeButton } from "./_components/sms-resume-button";
import { SmsCountryList, SmsEmptyWarning, SmsPhoneWarning, VOIP_CHOICES } from "./_components/sms-settings-parts";
import { SmsSettingsForm } from "./_components/sms-settings-form";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { config } from "@/lib/config";
import { listPromptMethods } from "@/lib/factors/methods";
import { countRecoveryCodes } from "@/lib/factors/recovery/recovery-codes";
import { DEFAULT_SMS_COUNTRIES, listCountries } from "@/lib/fraud/countries";
import { formatTime } from "@/lib/format/time";
import { getSmsSettings, memberPhones } from "@/lib/teams/sms-settings";
import { resumeSmsAction, saveSmsSettingsAction } from "./actions";

export const metadata: Metadata = { title: "SMS & voice" };

const n = (value: number) => value.toLocaleString("en-US");

export default async function SmsSettingsPage() {
  const { user, team } = await requireTeamAdmin();
  const settings = await getSmsSettings(team.id);
  if (!settings) redirect("/dashboard");
  const isOwner = team.role === "owner";
  const [phones, methods, recoveryCodesLeft] = await Promise.all([memberPhones(team.id), isOwner ? listPromptMethods(user.id) : [], isOwner ? countRecoveryCodes(user.id) : 0]);
  const countries = listCountries();
  const names = new Map(countries.map((c) => [c.code as string, c.name]));
  const stepUp = { methods: methods.map(({ kind, label, hint }) => ({ kind, label, hint })), recoveryCodesLeft };
  const velocity = config.smsVelocity;

  return (
    <div className="space-y-6">
      <div className="max-w-3xl space-y-2">
        <h2 className="text-lg font-semibold text-slate-900">SMS &amp; voice</h2>
        <p className="text-sm text-slate-600">
          Where {team.name} may send text messages and voice calls. Each one costs real money, so whoever gets hold of a sign-in form or an API key can make
          the team pay for texts and calls to premium numbers they profit from (toll fraud, or &ldquo;SMS pumping&rdquo;). Allowing only the countries your
          people and customers are in stops most of it.
        </p>
        <p className="text-sm text-slate-600">
          New teams start with {DEFAULT_SMS_COUNTRIES.length} countries — the US and Canada, the UK and Ireland, most of Western Europe and the Nordics,
          Australia and New Zealand — where this fraud is rare and texts are cheap.{" "}
          {isOwner ? "Add the countries you need; remove any you don't." : "Owners add the countries the team needs and remove the others."}
        </p>
      </div>

      {settings.pausedAt && (
        <section aria-labelledby="sms-paused-title" className="rounded-lg border border-red-200 bg-red-50 px-5 py-4" data-testid="sms-paused">
          <h3 id="sms-paused-title" className="text-base font-semibold text-red-900">
            SMS and voice are paused
          </h3>
          <p className="mt-1 text-sm text-red-900">
            Since {formatTime(settings.pausedAt)}, every text message and call of this team is refused. Members can still sign in with an authenticator app, a
            security key or an email code.
          </p>
          {settings.pauseReason && (
            <p className="mt-1 text-sm text-red-900" data-testid="sms-pause-reason">
              <span className="font-medium">Why:</span> {settings.pauseReason}
            </p>
          )}
          <p className="mt-1 text-sm text-red-900">
            Check the team&apos;s <Link href="/team/audit" className="font-medium underline">audit log</Link> and <Link href="/team/credits" className="font-medium underline">SMS credits</Link> ledger
            first: a burst of sends to one range of numbers is what toll fraud looks like.
          </p>
          <div className="mt-3">
            {isOwner ? (
              <SmsResumeButton teamId={team.id} stepUp={stepUp} resume={resumeSmsAction} />
            ) : (
              <p className="text-sm font-medium text-red-900">Only an owner can resume them.</p>
            )}
          </div>
        </section>
      )}

      {isOwner ? (
        // Keyed by team: after a switch of team the form starts from that team's settings, not the last one's edits.
        <SmsSettingsForm
          key={team.id}
          teamId={team.id}
          saved={{ countries: settings.countries, voipMembers: settings.voipMembers, voipApi: settings.voipApi, version: settings.version }}
          countries={countries}
          phones={phones}
          stepUp={stepUp}
          save={saveSmsSettingsAction}
        />
      ) : (
        <>
          <div data-testid="owners-only">
            <Alert tone="info">Only owners can change these settings, because they decide what the team&apos;s messages can cost. Ask an owner of {team.name}.</Alert>
          </div>
          <Card title="Countries" description="Text messages and calls of this team go only to numbers in these countries: members' sign-in codes and the Verify API's codes alike.">
            <div className="space-y-4">
              <p className="text-sm text-slate-700" data-testid="sms-country-count">
                {settings.countries.length === 0
                  ? "No country on the list."
                  : `${settings.countries.length} ${settings.countries.length === 1 ? "country" : "countries"} on the list.`}
              </p>
              <SmsCountryList countries={countries.filter((c) => settings.countries.includes(c.code))} />
              {settings.countries.length === 0 && <SmsEmptyWarning saved />}
              <SmsPhoneWarning phones={phones} allowed={settings.countries} voipMembers={settings.voipMembers} names={names} />
            </div>
          </Card>
          <Card title="VoIP numbers" description="Numbers of internet phone services (Google Voice, Skype and the like) that anyone can get online in minutes.">
            <dl className="space-y-4">
              {VOIP_CHOICES.map(({ name, label, note }) => (
                <div key={name}>
                  <dt className="text-sm font-medium text-slate-900">
                    {label}: <span data-testid={`${name}-state`}>{settings[name] ? "allowed" : "refused"}</span>
                  </dt>
                  <dd className="text-sm text-slate-600">{note}</dd>
                </div>
              ))}
            </dl>
          </Card>
        </>
      )}

      <Card title="This server's limits" description="Set by whoever runs this server, for every team; they are not yours to change.">
        <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700" data-testid="sms-limits">
          <li>
            This server sends at most {n(velocity.perMinute)} text messages and calls a minute and {n(velocity.perDay)} a day per team, and{" "}
            {n(velocity.perCountryPerHour)} an hour to any one country. A sudden burst to one range of numbers pauses the team&apos;s SMS and voice until an
            owner resumes them.
          </li>
          <li>All teams together: at most {n(config.maxSmsPerDay)} a day.</li>
          <li>Premium-rate, shared-cost and personal numbers are refused everywhere, whatever the list says.</li>
        </ul>
      </Card>
    </div>
  );
}
