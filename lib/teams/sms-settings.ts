import { and, asc, desc, eq, isNotNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { factors, memberships, teams, users } from "@/lib/db/schema";
import { countryName, isCountryCode } from "@/lib/fraud/countries";
import { formatTime } from "@/lib/format/time";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { notifyTeamOwners } from "@/lib/notifications";
import { hashToken } from "@/lib/security/tokens";
import { OWNERS, requireTeamRole } from "./roles";
import { log } from "@/lib/log";

/** The schema's CHECK on `teams.sms_countries`; there are fewer countries than this, so only a malformed request reaches it. */
export const MAX_SMS_COUNTRIES = 300;

export const SMS_SETTINGS_MESSAGES = {
  FORBIDDEN: "Only an owner of this team can change where its text messages and calls may go.",
  STALE: "Another owner changed these settings since you opened the page. Reload to see their change, then make yours again.",
  NOT_PAUSED: "SMS and voice are not paused. Another owner may have resumed them already.",
  TOO_MANY: `Choose at most ${MAX_SMS_COUNTRIES} countries.`,
  CHOICE: "Choose on or off.",
} as const;

export type SmsSettings = {
  /** ISO 3166-1 alpha-2 codes, sorted; empty means no SMS or voice at all. */
  countries: string[];
  /** Members' own sign-in codes may go to VoIP numbers. */
  voipMembers: boolean;
  /** The Verify API's codes may go to VoIP numbers. */
  voipApi: boolean;
  /** Set while the enforcement's anomaly rule has paused every SMS and voice send of the team. */
  pausedAt: Date | null;
  pauseReason: string | null;
  /**
   * Names the settings as read; a save carrying it is refused once they changed, so an owner
   * never silently undoes a change another owner made meanwhile (a country removed because of
   * fraud, put back by a page opened before).
   */
  version: string;
};

/** The part an owner edits, as the settings page holds it. */
export type SmsSettingsValues = Pick<SmsSettings, "countries" | "voipMembers" | "voipApi" | "version">;

const columns = {
  countries: teams.smsCountries,
  voipMembers: teams.smsVoipMembers,
  voipApi: teams.smsVoipApi,
  pausedAt: teams.smsPausedAt,
  pauseReason: teams.smsPauseReason,
};

const versionOf = (s: Pick<SmsSettings, "countries" | "voipMembers" | "voipApi">) =>
  hashToken(`${[...s.countries].sort().join(",")}|${s.voipMembers}|${s.voipApi}`).slice(0, 22);

/** The team's SMS and voice settings, or null when there is no such team. */
export async function getSmsSettings(teamId: string, ex: Executor = db()): Promise<SmsSettings | null> {
  const [row] = await ex.select(columns).from(teams).where(eq(teams.id, teamId));
  return row ? { ...row, countries: [...row.countries].sort(), version: versionOf(row) } : null;
}

const choice = z.boolean({ error: SMS_SETTINGS_MESSAGES.CHOICE });

/**
 * What an owner may set: a list of known ISO codes (case and spaces forgiven, repeats folded,
 * stored sorted) — empty is allowed and means no SMS or voice at all — and the two VoIP choices.
 */
export const smsSettingsInput = z.object({
  countries: z
    .array(z.string({ error: "Choose countries from the list." }).max(20, { error: "Choose countries from the list." }), { error: "Choose countries from the list." })
    .max(MAX_SMS_COUNTRIES, { error: SMS_SETTINGS_MESSAGES.TOO_MANY })
    .transform((codes) => codes.map((code) => code.trim().toUpperCase()))
    .superRefine((codes, ctx) => {
      const unknown = [...new Set(codes.filter((code) => !isCountryCode(code)))];
      if (unknown.length > 0) {
        const named = unknown.slice(0, 3).map((code) => `“${code}”`).join(", ");
        ctx.addIssue({
          code: "custom",
          message: `${named}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ""} ${unknown.length === 1 ? "is not a country code" : "are not country codes"} we know. Choose countries from the list.`,
        });
      }
    })
    .transform((codes) => [...new Set(codes)].sort()),
  voipMembers: choice,
  voipApi: choice,
  /** `SmsSettings.version` as the editor read it; absent, the change applies whatever happened meanwhile. */
  version: z.string().max(100).optional(),
});

export type SmsSettingsInput = z.input<typeof smsSettingsInput>;

/** What a save changed, as the audit event and the owners' email tell it. */
export type SmsSettingsChange = {
  countriesAdded: string[];
  countriesRemoved: string[];
  voipMembers?: { from: boolean; to: boolean };
  voipApi?: { from: boolean; to: boolean };
  /** How many countries are on the list afterwards (0: no SMS or voice at all). */
  countryCount: number;
};

export type SmsSettingsResult =
  | { ok: true; settings: SmsSettings; change: SmsSettingsChange | null }
  | { ok: false; code: "FORBIDDEN" | "STALE"; message: string }
  | { ok: false; code: "INVALID"; message: string; fieldErrors: Record<string, string[] | undefined> };

/**
 * Changes where the team's SMS and voice codes may go. Owners only — these settings decide
 * what the team's messages can cost — checked in the database under the team row's lock, so
 * saves queue up and each one's diff is against what the one before it left. The row and the
 * `sms_settings.changed` event are one transaction; refused input changes nothing. Every owner
 * is emailed after the commit (a hijacked owner session must not widen the list unseen).
 */
export async function updateSmsSettings(teamId: string, actor: { id: string }, input: unknown, meta: RequestMeta): Promise<SmsSettingsResult> {
  const parsed = smsSettingsInput.safeParse(input);
  const result = await db().transaction(async (tx): Promise<SmsSettingsResult> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, OWNERS))) return { ok: false, code: "FORBIDDEN", message: SMS_SETTINGS_MESSAGES.FORBIDDEN };
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
      return { ok: false, code: "INVALID", message: Object.values(fieldErrors).flat().find(Boolean) ?? "Check the settings and try again.", fieldErrors };
    }
    const before = (await getSmsSettings(teamId, tx))!;
    const next = parsed.data;
    if (next.version !== undefined && next.version !== before.version) return { ok: false, code: "STALE", message: SMS_SETTINGS_MESSAGES.STALE };

    const change: SmsSettingsChange = {
      countriesAdded: next.countries.filter((code) => !before.countries.includes(code)),
      countriesRemoved: before.countries.filter((code) => !next.countries.includes(code)),
      ...(next.voipMembers !== before.voipMembers ? { voipMembers: { from: before.voipMembers, to: next.voipMembers } } : {}),
      ...(next.voipApi !== before.voipApi ? { voipApi: { from: before.voipApi, to: next.voipApi } } : {}),
      countryCount: next.countries.length,
    };
    const changed = change.countriesAdded.length > 0 || change.countriesRemoved.length > 0 || change.voipMembers || change.voipApi;
    if (!changed) return { ok: true, settings: before, change: null };

    await tx
      .update(teams)
      .set({ smsCountries: next.countries, smsVoipMembers: next.voipMembers, smsVoipApi: next.voipApi })
      .where(eq(teams.id, teamId));
    await recordAudit(tx, { type: "sms_settings.changed", teamId, actorId: actor.id, data: { ...change }, ...meta });
    return { ok: true, settings: (await getSmsSettings(teamId, tx))!, change };
  });
  if (result.ok && result.change) {
    const lines = describeChange(result.change);
    await announce(teamId, actor.id, "Your team's SMS and voice settings changed", (who, team) => `${who} changed where ${team} may send text messages and calls:`, lines, meta);
  }
  return result;
}

export type ResumeResult = { ok: true } | { ok: false; code: "FORBIDDEN" | "NOT_PAUSED"; message: string };

/**
 * Ends a pause the anomaly rule set: the team's SMS and voice sends go out again. Owners only,
 * under the team lock; of two owners resuming at once one resumes and the other is told it
 * was not paused. Audited as `sms.resumed` with the pause it ended; every owner is emailed.
 */
export async function resumeSms(teamId: string, actor: { id: string }, meta: RequestMeta): Promise<ResumeResult> {
  const result = await db().transaction(async (tx): Promise<ResumeResult | { ok: true; pausedAt: Date; reason: string | null }> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, OWNERS))) return { ok: false, code: "FORBIDDEN", message: SMS_SETTINGS_MESSAGES.FORBIDDEN };
    const before = (await getSmsSettings(teamId, tx))!;
    if (!before.pausedAt) return { ok: false, code: "NOT_PAUSED", message: SMS_SETTINGS_MESSAGES.NOT_PAUSED };
    await tx.update(teams).set({ smsPausedAt: null, smsPauseReason: null }).where(eq(teams.id, teamId));
    await recordAudit(tx, {
      type: "sms.resumed",
      teamId,
      actorId: actor.id,
      data: { pausedAt: before.pausedAt.toISOString(), reason: before.pauseReason },
      ...meta,
    });
    return { ok: true, pausedAt: before.pausedAt, reason: before.pauseReason };
  });
  if (!result.ok) return result;
  if ("pausedAt" in result) {
    await announce(
      teamId,
      actor.id,
      "SMS and voice were resumed for your team",
      (who, team) => `${who} resumed text messages and calls for ${team}. They had been paused since ${formatTime(result.pausedAt)}${result.reason ? ` because: ${result.reason}` : "."}`,
      ["They go out again within the team's country list and this server's limits."],
      meta,
    );
  }
  return { ok: true };
}

const countryLabel = (code: string) => `${countryName(code)} (${code})`;
const onOff = (allowed: boolean) => (allowed ? "now allowed" : "now refused");

/** The change in lines for the owners' email. */
export function describeChange(change: SmsSettingsChange): string[] {
  const lines: string[] = [];
  if (change.countriesAdded.length > 0) lines.push(`- Countries added: ${change.countriesAdded.map(countryLabel).join(", ")}`);
  if (change.countriesRemoved.length > 0) lines.push(`- Countries removed: ${change.countriesRemoved.map(countryLabel).join(", ")}`);
  if (change.voipMembers) lines.push(`- Members' sign-in codes to VoIP numbers: ${onOff(change.voipMembers.to)}`);
  if (change.voipApi) lines.push(`- Verify API codes to VoIP numbers: ${onOff(change.voipApi.to)}`);
  lines.push(
    change.countryCount === 0
      ? "No country is on the list now: every text message and call of the team is refused, members' sign-in codes included."
      : `${change.countryCount} ${change.countryCount === 1 ? "country is" : "countries are"} on the list now.`,
  );
  return lines;
}

/**
 * Emails every owner of the team who did what, after the commit. Names go through
 * safeDisplayName and the actor's address is left out (names are chosen by anyone; our
 * sender must not carry a link or a number of theirs).
 */
async function announce(
  teamId: string,
  actorId: string,
  subject: string,
  intro: (who: string, team: string) => string,
  lines: string[],
  meta: RequestMeta,
): Promise<void> {
  try {
    const [row] = await db()
      .select({ team: teams.name, actor: users.name })
      .from(teams)
      .leftJoin(users, eq(users.id, actorId))
      .where(eq(teams.id, teamId));
    const team = safeDisplayName(row?.team);
    const actor = safeDisplayName(row?.actor) ?? "An owner";
    await notifyTeamOwners(
      teamId,
      subject,
      [
        intro(actor, team ? `the team ${team}` : "your team"),
        "",
        ...lines,
        "",
        "These settings decide what the team's messages can cost. If this change is unexpected, review Team → SMS & voice and the team's audit log.",
      ],
      meta,
    );
  } catch (error) {
    log.error("teams.sms_settings_notification_failed", { teamId }, error);
  }
}

export type MemberPhones = {
  /** Members whose sign-in codes this team pays for, by the country of their SMS number (null: a number of no country, such as +800). */
  countries: { code: string | null; count: number }[];
  /** How many of those numbers are VoIP numbers. */
  voip: number;
};

/**
 * Where the members' own sign-in codes would go: the SMS numbers of the members whose codes
 * this team pays for, counted by country and VoIP. The enforcement checks a member's codes
 * against the settings of the team that pays for them (lib/teams/credits.ts `payingTeam`), so
 * a member whose codes another team pays for is not counted here. The ordering below is
 * `payingTeam`'s, as one set-based query (a test holds them to the same answer).
 */
export async function memberPhones(teamId: string): Promise<MemberPhones> {
  const paying = alias(memberships, "paying_membership");
  const payer = alias(teams, "paying_team");
  const smsRequired = sql`${payer.requireTwoFactor} and ${payer.allowedMethods} @> '["sms"]'::jsonb`;
  const payingTeam = db()
    .select({ id: payer.id })
    .from(paying)
    .innerJoin(payer, eq(payer.id, paying.teamId))
    .where(eq(paying.userId, memberships.userId))
    .orderBy(desc(smsRequired), asc(paying.createdAt), asc(payer.id))
    .limit(1);
  const rows = await db()
    .selectDistinct({ userId: factors.userId, phone: factors.phone })
    .from(memberships)
    .innerJoin(factors, and(eq(factors.userId, memberships.userId), eq(factors.kind, "sms"), isNotNull(factors.phone), ne(factors.phone, "")))
    .where(and(eq(memberships.teamId, teamId), sql`(${payingTeam}) = ${teamId}`));

  const counts = new Map<string | null, number>();
  let voip = 0;
  for (const { phone } of rows) {
    const parsed = parsePhoneNumberFromString(phone!);
    const code = parsed?.country ?? null;
    counts.set(code, (counts.get(code) ?? 0) + 1);
    if (parsed?.getType() === "VOIP") voip += 1;
  }
  return { countries: [...counts].map(([code, count]) => ({ code, count })), voip };
}
