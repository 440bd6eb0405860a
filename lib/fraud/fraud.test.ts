import { and, asc, eq, like, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, creditLedger, messageDeliveries, otpCodes, outbox, rateLimits, teams, users } from "@/lib/db/schema";
import { beginSms } from "@/lib/factors/codes/enroll";
import { sendFactorCode } from "@/lib/factors/codes/send-code";
import { send } from "@/lib/messaging";
import { footprint, keyedTeam, post, setBalance } from "@/tests/verify-api-client";
import { addSmsFactor, createUser, joinTeam, meta, uniqueEmail } from "@/tests/helpers";
import { DEFAULT_SMS_COUNTRIES } from "./countries";
import { RANGE_BURST_ALL_TEAMS_PER_HOUR, RANGE_BURST_PER_HOUR } from "./velocity";
import { captureLog } from "@/tests/log-spy";

// The real outbox sends, wrapped so a test can make some sends fail.
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return { ...actual, send: vi.fn(actual.send) };
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.mocked(send).mockReset();
});

const CREATE = "/api/v1/verifications";
const PREMIUM_US = "+19005550100";
const PREMIUM_GB = "+448712345678";
const BRAZIL_MOBILE = "+5511987654321";
const SATELLITE = "+881612345678";
const GB_VOIP = "+445612345678";
const GB_LANDLINE = "+442079460958";
const GB_MOBILE = "+447400123456";
/** Numbers in one block of 1,000 (+447400123000 … +447400123999). */
const inBlock = (i: number) => `+447400123${String(i).padStart(3, "0")}`;
/** Numbers each in a block of its own. */
const ownBlock = (i: number) => `+4474001${String(10 + i).padStart(2, "0")}456`;

type ErrorBody = { error?: { code: string; message: string; field?: string } };

async function apiError(response: Response) {
  const body = (await response.json()) as ErrorBody;
  return { status: response.status, code: body.error?.code, message: body.error?.message ?? "", field: body.error?.field };
}

/** Everything a refused send must leave as it was, members' codes included. */
async function everything(teamId: string) {
  const [codes] = await db().select({ n: sql<number>`count(*)::int` }).from(otpCodes);
  return { ...(await footprint(teamId)), otpCodes: codes!.n };
}

const pauseEvents = (teamId: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "sms.paused")));

describe("attacker: the Verify API to numbers that earn a fraudster money", () => {
  it("a premium-rate number is refused, by SMS and by voice: 403 line_type_not_allowed, nothing spent", async () => {
    const team = await keyedTeam();
    const before = await everything(team.teamId);
    for (const [to, channel] of [[PREMIUM_US, "sms"], [PREMIUM_US, "voice"], [PREMIUM_GB, "voice"]] as const) {
      const refused = await apiError(await post(CREATE, { to, channel }, team.key));
      expect(refused).toMatchObject({ status: 403, code: "line_type_not_allowed", field: "to" });
      expect(refused.message).toContain("premium-rate");
    }
    expect(await everything(team.teamId)).toEqual(before);
    expect(send).not.toHaveBeenCalled();
    // Not even counted: the destination's limits and the velocity counters were rolled back with the refusal.
    expect(await db().select().from(rateLimits).where(sql`${rateLimits.key} like 'verify:dest:%' or ${rateLimits.key} like 'sms:%'`)).toHaveLength(0);
  });

  it("a country not on the team's list is refused with its name: 403 country_not_allowed, nothing spent", async () => {
    const team = await keyedTeam();
    const before = await everything(team.teamId);
    const refused = await apiError(await post(CREATE, { to: BRAZIL_MOBILE, channel: "voice" }, team.key));
    expect(refused).toMatchObject({ status: 403, code: "country_not_allowed", field: "to" });
    expect(refused.message).toContain("Brazil");
    expect(refused.message).toContain("Team → SMS & voice");
    // A satellite number belongs to no country, so no list can allow it.
    expect(await apiError(await post(CREATE, { to: SATELLITE, channel: "sms" }, team.key))).toMatchObject({ status: 403, code: "country_not_allowed" });
    expect(await everything(team.teamId)).toEqual(before);

    await db().update(teams).set({ smsCountries: [...DEFAULT_SMS_COUNTRIES, "BR"] }).where(eq(teams.id, team.teamId));
    expect((await post(CREATE, { to: BRAZIL_MOBILE, channel: "voice" }, team.key)).status).toBe(201);
  });

  it("a VoIP number is refused once the team turns VoIP off for the API; a landline gets calls, not texts", async () => {
    const team = await keyedTeam();
    expect((await post(CREATE, { to: GB_VOIP, channel: "sms" }, team.key)).status).toBe(201);
    await db().update(teams).set({ smsVoipApi: false }).where(eq(teams.id, team.teamId));
    const before = await everything(team.teamId);
    const voip = await apiError(await post(CREATE, { to: "+445612345000", channel: "sms" }, team.key));
    expect(voip).toMatchObject({ status: 403, code: "line_type_not_allowed" });
    expect(voip.message).toContain("VoIP");
    const landline = await apiError(await post(CREATE, { to: GB_LANDLINE, channel: "sms" }, team.key));
    expect(landline).toMatchObject({ status: 403, code: "line_type_not_allowed" });
    expect(landline.message).toContain("landline");
    expect(await everything(team.teamId)).toEqual(before);
    expect((await post(CREATE, { to: GB_LANDLINE, channel: "voice" }, team.key)).status).toBe(201);
  });
});

describe("attacker: a member's own codes to numbers that earn a fraudster money", () => {
  it("enrolling a premium-rate, a foreign or a VoIP number is a message on the phone field; nothing spent", async () => {
    const user = await createUser();
    const person = { id: user.userId, email: user.email };
    vi.mocked(send).mockClear(); // the welcome email
    const before = await everything(user.teamId);
    const premium = await beginSms(person, PREMIUM_GB, meta);
    expect(premium).toMatchObject({ ok: false, field: "phone" });
    expect(premium.ok || premium.message).toContain("premium-rate");
    const brazil = await beginSms(person, BRAZIL_MOBILE, meta);
    expect(brazil).toMatchObject({ ok: false, field: "phone" });
    expect(brazil.ok || brazil.message).toContain("Brazil");
    // VoIP is off for members' own codes by default: a code to it proves no phone (NIST SP 800-63B).
    const voip = await beginSms(person, GB_VOIP, meta);
    expect(voip).toMatchObject({ ok: false, field: "phone" });
    expect(voip.ok || voip.message).toContain("VoIP");
    const landline = await beginSms(person, GB_LANDLINE, meta);
    expect(landline).toMatchObject({ ok: false, field: "phone" });
    expect(landline.ok || landline.message).toContain("landline");
    expect(await everything(user.teamId)).toEqual(before);
    expect(send).not.toHaveBeenCalled();

    expect(await beginSms(person, GB_MOBILE, meta)).toMatchObject({ ok: true });
  });

  it("a sign-in code to a number whose country was removed is refused, and the prompt is told to offer other methods", async () => {
    const user = await createUser();
    await addSmsFactor(user.userId, BRAZIL_MOBILE);
    const before = await everything(user.teamId);
    const sent = await sendFactorCode({ userId: user.userId, purpose: "step_up", channel: "sms" }, meta);
    expect(sent).toMatchObject({ ok: false, code: "COUNTRY_NOT_ALLOWED" });
    expect(sent.ok || sent.message).toContain("Brazil");
    expect(await everything(user.teamId)).toEqual(before);
  });
});

describe("attacker: a burst of sends to one block of numbers", () => {
  it("200 sends to one block: the 21st message pauses the team and emails every owner; credits pay only for messages that went out; the team's SMS is refused until resumed", async () => {
    const team = await keyedTeam();
    await setBalance(team.teamId, 500);
    const [secondOwner] = await db().insert(users).values({ name: "Grace Hopper", email: uniqueEmail("owner"), passwordHash: "x" }).returning();
    await joinTeam(team.teamId, secondOwner!.id, "owner");
    const ownerEmails = (await db().select({ email: users.email }).from(users)).map((u) => u.email).sort();
    captureLog();
    // Every fifth provider call fails: a failed send costs nothing and counts toward no limit
    // (the burst included), so the block takes 20 messages that really went out, then pauses.
    let calls = 0;
    const { send: realSend } = await vi.importActual<typeof import("@/lib/messaging")>("@/lib/messaging");
    vi.mocked(send).mockImplementation(async (message, paidBy) => {
      if (message.channel !== "email" && ++calls % 5 === 0) throw new Error("provider timeout");
      return realSend(message, paidBy);
    });

    const statuses: number[] = [];
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 200; i++) {
      // 200 requests take under two seconds here: the key's 100 a second is another test's subject.
      if (i % 50 === 0) await db().delete(rateLimits).where(like(rateLimits.key, "api:key:%"));
      const response = await post(CREATE, { to: inBlock(i), channel: i % 2 ? "voice" : "sms" }, team.key);
      statuses.push(response.status);
      codes.push(response.status === 201 ? "created" : (await apiError(response)).code);
    }
    const crossing = codes.indexOf("rate_limited");
    const delivered = statuses.slice(0, crossing).filter((s) => s === 201).length;
    expect(statuses.slice(0, crossing).every((s) => s === 201 || s === 502)).toBe(true);
    expect(delivered).toBe(RANGE_BURST_PER_HOUR);
    expect(crossing).toBe(24); // 20 delivered and 4 failed provider calls before it
    expect(new Set(codes.slice(crossing + 1))).toEqual(new Set(["sms_paused"]));

    // Credits, ledger, deliveries and phone messages: exactly the messages that went out.
    const phoneMessages = await db().select().from(outbox).where(sql`${outbox.channel} <> 'email'`);
    expect(phoneMessages).toHaveLength(delivered);
    const ledger = await db().select().from(creditLedger).where(eq(creditLedger.teamId, team.teamId)).orderBy(asc(creditLedger.seq));
    expect(ledger.filter((row) => row.delta === -1)).toHaveLength(delivered);
    expect(new Set(ledger.map((row) => row.messageId))).toEqual(new Set(phoneMessages.map((m) => m.id)));
    expect((await footprint(team.teamId)).balance).toBe(500 - delivered);
    expect(await db().select().from(messageDeliveries).where(sql`${messageDeliveries.channel} <> 'email'`)).toHaveLength(delivered);

    const [row] = await db().select().from(teams).where(eq(teams.id, team.teamId));
    expect(row!.smsPausedAt).toBeInstanceOf(Date);
    expect(row!.smsPauseReason).toContain("+447400123xxx");
    expect(await pauseEvents(team.teamId)).toHaveLength(1);
    const emails = await db().select().from(outbox).where(eq(outbox.channel, "email"));
    expect(emails.map((e) => e.to).sort()).toEqual(ownerEmails);
    for (const email of emails) {
      expect(email.subject).toBe("SMS and voice codes are paused for Acme");
      expect(email.text).toContain("+447400123xxx");
      expect(email.text).toContain("Team → SMS & voice");
    }

    // Paused: any number, any channel, the members' own codes too — refused, nothing spent.
    const paused = await everything(team.teamId);
    const other = await apiError(await post(CREATE, { to: "+33612345678", channel: "sms" }, team.key));
    expect(other).toMatchObject({ status: 403, code: "sms_paused" });
    const member = await beginSms({ id: team.userId, email: ownerEmails[0]! }, "+33612345678", meta);
    expect(member).toMatchObject({ ok: false, field: "phone" });
    expect(member.ok || member.message).toContain("paused");
    expect(await everything(team.teamId)).toEqual(paused);
    expect((await post(CREATE, { to: "someone@example.com", channel: "email" }, team.key)).status).toBe(201);

    // The provider is healthy again, and an owner resumes (lib/teams/sms-settings.ts resumeSms clears these two columns).
    vi.mocked(send).mockReset();
    await db().update(teams).set({ smsPausedAt: null, smsPauseReason: null }).where(eq(teams.id, team.teamId));
    expect((await post(CREATE, { to: "+33612345678", channel: "sms" }, team.key)).status).toBe(201);
    // The block stays limited for its hour, without pausing the team again.
    const again = await apiError(await post(CREATE, { to: inBlock(500), channel: "sms" }, team.key));
    expect(again).toMatchObject({ status: 429, code: "rate_limited" });
    expect(again.message).toContain("+447400123xxx");
    expect((await db().select().from(teams).where(eq(teams.id, team.teamId)))[0]!.smsPausedAt).toBeNull();
    expect(await pauseEvents(team.teamId)).toHaveLength(1);
    expect(await db().select().from(outbox).where(and(eq(outbox.channel, "email"), like(outbox.subject, "%paused%")))).toHaveLength(2);
  });
});

describe("attacker: a concurrent burst", () => {
  it("40 concurrent sends to one block: at most 20 go out, and the team is paused once, with one email per owner", async () => {
    const team = await keyedTeam();
    await setBalance(team.teamId, 100);
    await db().delete(rateLimits);
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => post(CREATE, { to: inBlock(i), channel: "sms" }, team.key)));
    const statuses = responses.map((r) => r.status);
    const sent = statuses.filter((s) => s === 201).length;
    expect(sent).toBeLessThanOrEqual(RANGE_BURST_PER_HOUR);
    expect(statuses.every((s) => s === 201 || s === 429 || s === 403)).toBe(true);
    expect(await pauseEvents(team.teamId)).toHaveLength(1);
    expect(await db().select().from(outbox).where(eq(outbox.channel, "email"))).toHaveLength(1);
    expect((await footprint(team.teamId)).balance).toBe(100 - sent);
    expect(await db().select().from(outbox).where(eq(outbox.channel, "sms"))).toHaveLength(sent);
  });
});

describe("attacker: velocity", () => {
  it("a team's sends per minute are capped (members' codes and the API together); a refusal spends and counts nothing", async () => {
    vi.stubEnv("TESSERA_SMS_PER_TEAM_PER_MINUTE", "3");
    const team = await keyedTeam();
    for (let i = 0; i < 3; i++) expect((await post(CREATE, { to: ownBlock(i), channel: "sms" }, team.key)).status).toBe(201);
    const before = await everything(team.teamId);
    const limited = await post(CREATE, { to: ownBlock(3), channel: "sms" }, team.key);
    expect(await apiError(limited)).toMatchObject({ status: 429, code: "rate_limited", message: expect.stringContaining("3 SMS and voice codes a minute") });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    const member = await beginSms({ id: team.userId, email: "ada@example.com" }, ownBlock(4), meta);
    expect(member).toMatchObject({ ok: false, field: "phone" });
    expect(await everything(team.teamId)).toEqual(before);
    // Nothing of the refused attempts was counted: not the destination's limit, not the server's day.
    expect(await db().select().from(rateLimits).where(like(rateLimits.key, `verify:dest:${team.teamId}:%`))).toHaveLength(3);
    expect((await db().select().from(rateLimits).where(eq(rateLimits.key, "sms:all-teams:day")))[0]!.count).toBe(3);
  });

  it("a team's sends per destination country per hour, and per day, are capped", async () => {
    vi.stubEnv("TESSERA_SMS_PER_TEAM_COUNTRY_PER_HOUR", "2");
    vi.stubEnv("TESSERA_SMS_PER_TEAM_PER_DAY", "3");
    const team = await keyedTeam();
    for (let i = 0; i < 2; i++) expect((await post(CREATE, { to: ownBlock(i), channel: "sms" }, team.key)).status).toBe(201);
    const country = await apiError(await post(CREATE, { to: ownBlock(2), channel: "sms" }, team.key));
    expect(country).toMatchObject({ status: 429, code: "rate_limited", message: expect.stringContaining("United Kingdom") });
    expect((await post(CREATE, { to: "+33612345678", channel: "sms" }, team.key)).status).toBe(201);
    const day = await apiError(await post(CREATE, { to: "+4915123456789", channel: "sms" }, team.key));
    expect(day).toMatchObject({ status: 429, code: "rate_limited", message: expect.stringContaining("3 SMS and voice codes a day") });
  });

  it("many teams cannot share out one block: more than 50 an hour to one block from all teams together is refused, pausing no one", async () => {
    const teamsOfAttacker = [await keyedTeam(), await keyedTeam(), await keyedTeam()];
    const statuses: number[] = [];
    for (const [t, team] of teamsOfAttacker.entries()) {
      // Each team stays under its own block limit (20), so no team's anomaly rule fires.
      for (let i = 0; i < RANGE_BURST_PER_HOUR; i++) statuses.push((await post(CREATE, { to: inBlock(t * RANGE_BURST_PER_HOUR + i), channel: "sms" }, team.key)).status);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(RANGE_BURST_ALL_TEAMS_PER_HOUR);
    expect(statuses.slice(RANGE_BURST_ALL_TEAMS_PER_HOUR).every((s) => s === 429)).toBe(true);
    const last = teamsOfAttacker.at(-1)!;
    const refused = await apiError(await post(CREATE, { to: inBlock(999), channel: "sms" }, last.key));
    expect(refused).toMatchObject({ status: 429, code: "rate_limited", message: expect.stringContaining("+447400123xxx") });
    for (const team of teamsOfAttacker) expect(await pauseEvents(team.teamId)).toHaveLength(0);
    // Another block is not affected.
    expect((await post(CREATE, { to: ownBlock(7), channel: "sms" }, last.key)).status).toBe(201);
  });

  it("the server's daily cap holds across all teams; a refusal for credits does not use it up", async () => {
    vi.stubEnv("TESSERA_MAX_SMS_PER_DAY", "3");
    const [broke, first, second] = [await keyedTeam(), await keyedTeam(), await keyedTeam()];
    await setBalance(broke.teamId, 0);
    for (let i = 0; i < 5; i++) expect((await post(CREATE, { to: ownBlock(i), channel: "sms" }, broke.key)).status).toBe(402);
    expect((await post(CREATE, { to: ownBlock(0), channel: "sms" }, first.key)).status).toBe(201);
    expect((await post(CREATE, { to: ownBlock(1), channel: "voice" }, first.key)).status).toBe(201);
    // A member's own code, paid by the second team, counts toward the same cap.
    expect(await beginSms({ id: second.userId, email: "ada@example.com" }, ownBlock(2), meta)).toMatchObject({ ok: true });

    const before = await everything(second.teamId);
    const capped = await apiError(await post(CREATE, { to: ownBlock(3), channel: "sms" }, second.key));
    expect(capped).toMatchObject({ status: 429, code: "rate_limited", message: expect.stringContaining("all teams") });
    expect(await everything(second.teamId)).toEqual(before);
    expect((await post(CREATE, { to: "someone@example.com", channel: "email" }, second.key)).status).toBe(201);
  });
});

it("DEFAULT_SMS_COUNTRIES is the database's default for teams.sms_countries", async () => {
  const [team] = await db().insert(teams).values({ name: "New" }).returning({ countries: teams.smsCountries });
  expect([...team!.countries].sort()).toEqual([...DEFAULT_SMS_COUNTRIES].sort());
  expect(team!.countries).toHaveLength(new Set(team!.countries).size);
});
