import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { summarizeEventData } from "@/lib/audit/describe";
import { listTeamEvents, TEAM_LOG_TYPES } from "@/lib/audit/team-log";
import { db } from "@/lib/db";
import { auditEvents, memberships, teams } from "@/lib/db/schema";
import { DEFAULT_SMS_COUNTRIES } from "@/lib/fraud/countries";
import { addFactorRow, createUser, joinTeam, meta, outboxTo } from "@/tests/helpers";
import { payingTeam } from "./credits";
import { getSmsSettings, memberPhones, MAX_SMS_COUNTRIES, resumeSms, SMS_SETTINGS_MESSAGES, updateSmsSettings, type SmsSettings } from "./sms-settings";

const DEFAULTS = [...DEFAULT_SMS_COUNTRIES].sort();

/** A team with an owner, a second owner, an admin and a member. */
async function team() {
  const owner = await createUser({ name: "Olivia Owner" });
  const coOwner = await createUser({ name: "Otto Owner" });
  const admin = await createUser({ name: "Adam Admin" });
  const member = await createUser({ name: "Mia Member" });
  await joinTeam(owner.teamId, coOwner.userId, "owner");
  await joinTeam(owner.teamId, admin.userId, "admin");
  await joinTeam(owner.teamId, member.userId, "member");
  return { owner, coOwner, admin, member, teamId: owner.teamId };
}

const settingsOf = async (teamId: string) => (await getSmsSettings(teamId))!;
const eventsOf = (teamId: string, type = "sms_settings.changed") =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, type))).orderBy(auditEvents.createdAt);
const mailsAbout = async (email: string, subject: string) => (await outboxTo(email)).filter((m) => m.subject === subject);
const CHANGED = "Your team's SMS and voice settings changed";
const RESUMED = "SMS and voice were resumed for your team";

/** The settings as they were, with one country more and one less, and VoIP for members on. */
const edited = (s: SmsSettings) => ({ countries: [...s.countries.filter((c) => c !== "DE"), "IN"], voipMembers: true, voipApi: s.voipApi, version: s.version });

const pause = (teamId: string, reason: string | null = "200 messages to +882 in 5 minutes") =>
  db().update(teams).set({ smsPausedAt: sql`now() - interval '3 minutes'`, smsPauseReason: reason }).where(eq(teams.id, teamId));

describe("getSmsSettings", () => {
  it("a new team: the default countries sorted, VoIP refused for members' codes and allowed for the API, not paused", async () => {
    const { teamId } = await createUser();
    expect(await settingsOf(teamId)).toMatchObject({ countries: DEFAULTS, voipMembers: false, voipApi: true, pausedAt: null, pauseReason: null, version: expect.any(String) });
    expect(await getSmsSettings("00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});

describe("updateSmsSettings: owners only", () => {
  it("an admin, a member and an outsider cannot widen the list or allow VoIP: refused, nothing changed, nothing audited or emailed", async () => {
    const { admin, member, owner, teamId } = await team();
    const outsider = await createUser();
    const before = await settingsOf(teamId);
    const wider = { countries: [...before.countries, "IN", "NG", "PK"], voipMembers: true, voipApi: true };
    for (const actor of [admin, member, outsider]) {
      expect(await updateSmsSettings(teamId, { id: actor.userId }, wider, meta)).toEqual({ ok: false, code: "FORBIDDEN", message: SMS_SETTINGS_MESSAGES.FORBIDDEN });
      // Bad input from someone not allowed is still "not allowed": the role is checked first.
      expect(await updateSmsSettings(teamId, { id: actor.userId }, { countries: ["XX"] }, meta)).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await updateSmsSettings("00000000-0000-4000-8000-000000000000", { id: owner.userId }, wider, meta)).toMatchObject({ code: "FORBIDDEN" });
    expect(await settingsOf(teamId)).toEqual(before);
    expect(await eventsOf(teamId)).toHaveLength(0);
    expect(await mailsAbout(owner.email, CHANGED)).toHaveLength(0);
  });

  it("an owner adds and removes countries and allows VoIP: saved sorted, audited in words, every owner emailed (not the admin)", async () => {
    const { owner, coOwner, admin, teamId } = await team();
    const before = await settingsOf(teamId);
    const result = await updateSmsSettings(teamId, { id: owner.userId }, edited(before), meta);
    expect(result).toMatchObject({ ok: true, change: { countriesAdded: ["IN"], countriesRemoved: ["DE"], voipMembers: { from: false, to: true }, countryCount: DEFAULTS.length } });
    const after = await settingsOf(teamId);
    expect(after.countries).toEqual(DEFAULTS.filter((c) => c !== "DE").concat("IN").sort());
    expect(after.voipMembers).toBe(true);
    expect(after.version).not.toBe(before.version);

    const [event, ...more] = await eventsOf(teamId);
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ actorId: owner.userId, ip: meta.ip, data: { countriesAdded: ["IN"], countriesRemoved: ["DE"], voipMembers: { from: false, to: true } } });
    expect(event!.data).not.toHaveProperty("voipApi");
    // In jsonb's key order (shorter keys first).
    expect(summarizeEventData(event!.data)).toBe(
      `Members' codes to VoIP numbers: refused → allowed · Countries on the list: ${DEFAULTS.length} · Countries added: India · Countries removed: Germany`,
    );

    for (const who of [owner, coOwner]) {
      const [mail, ...others] = await mailsAbout(who.email, CHANGED);
      expect(others).toHaveLength(0);
      expect(mail!.text).toContain("Olivia Owner changed where the team Olivia Owner's team may send text messages and calls:");
      expect(mail!.text).toContain("- Countries added: India (IN)");
      expect(mail!.text).toContain("- Countries removed: Germany (DE)");
      expect(mail!.text).toContain("- Members' sign-in codes to VoIP numbers: now allowed");
      expect(mail!.text).toContain(`IP ${meta.ip}`);
      expect(mail!.text).not.toContain(owner.email);
    }
    expect(await mailsAbout(admin.email, CHANGED)).toHaveLength(0);
  });

  it("codes are forgiven their case and spaces, repeats fold, the list is stored sorted", async () => {
    const { owner, teamId } = await team();
    const result = await updateSmsSettings(teamId, { id: owner.userId }, { countries: [" us", "US", "fr", "CA ", "fr"], voipMembers: false, voipApi: true }, meta);
    expect(result).toMatchObject({ ok: true, change: { countriesAdded: [], countryCount: 3 } });
    expect((await settingsOf(teamId)).countries).toEqual(["CA", "FR", "US"]);
  });

  it("bad input is refused with a message and changes nothing", async () => {
    const { owner, teamId } = await team();
    const before = await settingsOf(teamId);
    const base = { countries: before.countries, voipMembers: false, voipApi: true };
    const cases: [unknown, RegExp][] = [
      [{ ...base, countries: ["US", "XX"] }, /^“XX” is not a country code we know\. Choose countries from the list\.$/],
      [{ ...base, countries: ["USA", "ZZ", "EU", "UK", "SU"] }, /^“USA”, “ZZ”, “EU” and 2 more are not country codes we know/],
      [{ ...base, countries: [""] }, /is not a country code we know/],
      [{ ...base, countries: "US,FR" }, /^Choose countries from the list\.$/],
      [{ ...base, countries: [42] }, /^Choose countries from the list\.$/],
      [{ ...base, countries: ["x".repeat(5000)] }, /^Choose countries from the list\.$/],
      [{ ...base, countries: Array.from({ length: MAX_SMS_COUNTRIES + 1 }, () => "US") }, /^Choose at most 300 countries\.$/],
      [{ ...base, voipMembers: "yes" }, /^Choose on or off\.$/],
      [{ countries: base.countries }, /^Choose on or off\.$/],
      [null, /./],
    ];
    for (const [input, message] of cases) {
      const result = await updateSmsSettings(teamId, { id: owner.userId }, input, meta);
      expect(result.ok, JSON.stringify(input)?.slice(0, 80)).toBe(false);
      if (result.ok) continue;
      expect(result.code).toBe("INVALID");
      expect(result.message).toMatch(message);
    }
    expect(await settingsOf(teamId)).toEqual(before);
    expect(await eventsOf(teamId)).toHaveLength(0);
    expect(await mailsAbout(owner.email, CHANGED)).toHaveLength(0);
  });

  it("an empty list is allowed and means no SMS or voice at all: saved, audited and emailed as such", async () => {
    const { owner, teamId } = await team();
    const result = await updateSmsSettings(teamId, { id: owner.userId }, { countries: [], voipMembers: false, voipApi: true }, meta);
    expect(result).toMatchObject({ ok: true, change: { countriesAdded: [], countriesRemoved: DEFAULTS, countryCount: 0 } });
    expect((await settingsOf(teamId)).countries).toEqual([]);
    const [event] = await eventsOf(teamId);
    expect(summarizeEventData(event!.data)).toContain("No country on the list: SMS and voice refused");
    const [mail] = await mailsAbout(owner.email, CHANGED);
    expect(mail!.text).toContain("No country is on the list now: every text message and call of the team is refused, members' sign-in codes included.");
  });

  it("saving the settings as they are changes, audits and emails nothing", async () => {
    const { owner, teamId } = await team();
    const before = await settingsOf(teamId);
    expect(await updateSmsSettings(teamId, { id: owner.userId }, { ...before }, meta)).toMatchObject({ ok: true, change: null });
    expect(await eventsOf(teamId)).toHaveLength(0);
    expect(await mailsAbout(owner.email, CHANGED)).toHaveLength(0);
  });

  it("a page opened before another owner's save cannot undo it: its version is refused", async () => {
    const { owner, coOwner, teamId } = await team();
    const opened = await settingsOf(teamId);
    // The co-owner removes a country because of fraud…
    const removed = await updateSmsSettings(teamId, { id: coOwner.userId }, { ...opened, countries: opened.countries.filter((c) => c !== "GB") }, meta);
    expect(removed.ok).toBe(true);
    // …and the owner's page, opened before, saves its own edit with the list it started from.
    const stale = await updateSmsSettings(teamId, { id: owner.userId }, { ...opened, countries: [...opened.countries, "IN"] }, meta);
    expect(stale).toEqual({ ok: false, code: "STALE", message: SMS_SETTINGS_MESSAGES.STALE });
    expect((await settingsOf(teamId)).countries).not.toContain("GB");
    expect(await eventsOf(teamId)).toHaveLength(1);
  });
});

describe("updateSmsSettings under concurrency", () => {
  it("10 saves from pages showing the same version: exactly one applies, the others are told to reload", async () => {
    const { owner, coOwner, teamId } = await team();
    const opened = await settingsOf(teamId);
    const extra = ["IN", "BR", "MX", "JP", "KR", "SG", "ZA", "AR", "CL", "PL"];
    const results = await Promise.all(
      extra.map((code, i) => updateSmsSettings(teamId, { id: (i % 2 ? coOwner : owner).userId }, { ...opened, countries: [...opened.countries, code] }, meta)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "STALE")).toHaveLength(9);
    const winner = extra[results.findIndex((r) => r.ok)]!;
    expect((await settingsOf(teamId)).countries).toEqual([...DEFAULTS, winner].sort());
    expect(await eventsOf(teamId)).toHaveLength(1);
  });

  it("saves without a version queue on the team lock: each audited diff is against what the one before left", async () => {
    const { owner, coOwner, teamId } = await team();
    const lists = [["US"], ["US", "CA"], ["FR"], [], ["GB", "IE", "US"], ["US", "CA"]];
    await Promise.all(lists.map((countries, i) => updateSmsSettings(teamId, { id: (i % 2 ? coOwner : owner).userId }, { countries, voipMembers: i % 2 === 0, voipApi: true }, meta)));
    // The events replay, one after another from the defaults, to the final list: no diff was
    // computed from a stale read. (created_at is each transaction's start, not its commit, so
    // the order is searched for rather than read.)
    type Diff = { countriesAdded: string[]; countriesRemoved: string[]; countryCount: number };
    const diffs = (await eventsOf(teamId)).map((e) => e.data as Diff);
    expect(diffs.length).toBeGreaterThanOrEqual(lists.length - 1);
    const apply = (list: Set<string>, d: Diff) => {
      if (!d.countriesRemoved.every((c) => list.has(c)) || d.countriesAdded.some((c) => list.has(c))) return null;
      const next = new Set([...list].filter((c) => !d.countriesRemoved.includes(c)).concat(d.countriesAdded));
      return next.size === d.countryCount ? next : null;
    };
    const ends = (list: Set<string>, left: Diff[]): Set<string>[] =>
      left.length === 0
        ? [list]
        : left.flatMap((d, i) => {
            const next = apply(list, d);
            return next ? ends(next, left.filter((_, j) => j !== i)) : [];
          });
    const final = (await settingsOf(teamId)).countries;
    expect(ends(new Set(DEFAULTS), diffs).some((list) => [...list].sort().join() === final.join())).toBe(true);
  });
});

describe("resumeSms", () => {
  it("an admin or member cannot resume a paused team: refused, still paused, nothing audited", async () => {
    const { admin, member, teamId } = await team();
    await pause(teamId);
    for (const actor of [admin, member]) {
      expect(await resumeSms(teamId, { id: actor.userId }, meta)).toEqual({ ok: false, code: "FORBIDDEN", message: SMS_SETTINGS_MESSAGES.FORBIDDEN });
    }
    expect((await settingsOf(teamId)).pausedAt).not.toBeNull();
    expect(await eventsOf(teamId, "sms.resumed")).toHaveLength(0);
  });

  it("an owner resumes: the pause and its reason are cleared, audited with the pause it ended, every owner emailed", async () => {
    const { owner, coOwner, teamId } = await team();
    await pause(teamId);
    const pausedAt = (await settingsOf(teamId)).pausedAt!;
    expect(await resumeSms(teamId, { id: coOwner.userId }, meta)).toEqual({ ok: true });
    expect(await settingsOf(teamId)).toMatchObject({ pausedAt: null, pauseReason: null });
    const [event] = await eventsOf(teamId, "sms.resumed");
    expect(event).toMatchObject({ actorId: coOwner.userId, data: { pausedAt: pausedAt.toISOString(), reason: "200 messages to +882 in 5 minutes" } });
    expect(summarizeEventData(event!.data)).toMatch(/^Reason: 200 messages to \+882 in 5 minutes · Paused since .+ UTC$/);
    for (const who of [owner, coOwner]) {
      const [mail] = await mailsAbout(who.email, RESUMED);
      expect(mail!.text).toContain("Otto Owner resumed text messages and calls for the team Olivia Owner's team.");
      expect(mail!.text).toContain("because: 200 messages to +882 in 5 minutes");
    }
  });

  it("not paused: refused as such, nothing audited or emailed", async () => {
    const { owner, teamId } = await team();
    expect(await resumeSms(teamId, { id: owner.userId }, meta)).toEqual({ ok: false, code: "NOT_PAUSED", message: SMS_SETTINGS_MESSAGES.NOT_PAUSED });
    expect(await eventsOf(teamId, "sms.resumed")).toHaveLength(0);
    expect(await mailsAbout(owner.email, RESUMED)).toHaveLength(0);
  });

  it("two owners resuming at once: one resumes, the other is told it was not paused; one event", async () => {
    const { owner, coOwner, teamId } = await team();
    await pause(teamId, null);
    const results = await Promise.all([owner, coOwner, owner, coOwner].map((who) => resumeSms(teamId, { id: who.userId }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "NOT_PAUSED")).toHaveLength(3);
    expect(await eventsOf(teamId, "sms.resumed")).toHaveLength(1);
  });
});

describe("the team's audit log", () => {
  it("shows both events with their description, details and the owner's IP", async () => {
    const { owner, teamId } = await team();
    await updateSmsSettings(teamId, { id: owner.userId }, { countries: ["US"], voipMembers: false, voipApi: false }, meta);
    await pause(teamId);
    await resumeSms(teamId, { id: owner.userId }, meta);
    expect(TEAM_LOG_TYPES).toEqual(expect.arrayContaining(["sms_settings.changed", "sms.resumed"]));
    const { events } = await listTeamEvents(teamId, {});
    const changed = events.find((e) => e.type === "sms_settings.changed")!;
    expect(changed).toMatchObject({ description: "SMS and voice settings changed", ip: meta.ip });
    expect(changed.details).toContain("Verify API codes to VoIP numbers: allowed → refused");
    expect(changed.details).toContain("Countries on the list: 1");
    expect(events.find((e) => e.type === "sms.resumed")).toMatchObject({ description: "SMS and voice resumed after a pause", ip: meta.ip });
  });
});

describe("memberPhones", () => {
  it("counts the SMS numbers of members whose codes this team pays for, by country and VoIP", async () => {
    const { owner, admin, member, teamId } = await team();
    await addFactorRow(owner.userId, "sms", "+14155552671");
    await addFactorRow(admin.userId, "sms", "+919876543210");
    await addFactorRow(member.userId, "sms", "+445612345678"); // a UK VoIP range
    // The team requires 2FA with SMS: it pays for its members' codes (their personal teams do not).
    await db().update(teams).set({ requireTwoFactor: true }).where(eq(teams.id, teamId));
    const phones = await memberPhones(teamId);
    expect(phones.voip).toBe(1);
    expect([...phones.countries].sort((a, b) => String(a.code).localeCompare(String(b.code)))).toEqual([
      { code: "GB", count: 1 },
      { code: "IN", count: 1 },
      { code: "US", count: 1 },
    ]);
  });

  it("agrees with payingTeam for every member: a member whose codes another team pays for is not counted", async () => {
    const a = await createUser();
    const b = await createUser();
    const c = await createUser();
    // b requires 2FA and allows SMS: it pays for its members; c requires 2FA without SMS: it does not.
    await db().update(teams).set({ requireTwoFactor: true }).where(eq(teams.id, b.teamId));
    await db().update(teams).set({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn"] }).where(eq(teams.id, c.teamId));
    const people = await Promise.all(Array.from({ length: 8 }, () => createUser()));
    const phones = ["+14155552671", "+33612345678", "+919876543210", "+4915123456789", "+61491570156", "+12423570000", "+445612345678", "+80012345678"];
    for (const [i, person] of people.entries()) {
      if (i % 2 === 0) await joinTeam(a.teamId, person.userId);
      if (i % 3 === 0) await joinTeam(b.teamId, person.userId);
      if (i % 4 !== 1) await joinTeam(c.teamId, person.userId);
      if (i !== 5) await addFactorRow(person.userId, "sms", phones[i]);
    }
    for (const teamId of [a.teamId, b.teamId, c.teamId, ...people.map((p) => p.teamId)]) {
      const members = await db().select({ userId: memberships.userId }).from(memberships).where(eq(memberships.teamId, teamId));
      let expected = 0;
      for (const { userId } of members) {
        const person = people.findIndex((p) => p.userId === userId);
        if (person >= 0 && person !== 5 && (await payingTeam(db(), userId)) === teamId) expected += 1;
      }
      const counted = (await memberPhones(teamId)).countries.reduce((sum, c) => sum + c.count, 0);
      expect(counted, teamId).toBe(expected);
    }
    // Person 7 is in c only (requires 2FA, not SMS): their personal team pays, and their +800 number has no country.
    expect(await memberPhones(people[7]!.teamId)).toEqual({ countries: [{ code: null, count: 1 }], voip: 0 });
    // Person 6 is in b, which requires 2FA with SMS: b pays, their personal team counts nobody.
    expect(await memberPhones(people[6]!.teamId)).toEqual({ countries: [], voip: 0 });
    expect(await memberPhones(b.teamId)).toMatchObject({ voip: 1 });
  });
});
