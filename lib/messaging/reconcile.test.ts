import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { runRetentionPass } from "@/lib/db/retention";
import { creditLedger, messageDeliveries, outbox } from "@/lib/db/schema";
import { issueOtp } from "@/lib/factors/codes/otp";
import { creditBalance } from "@/lib/teams/credits";
import { clearProviderEnv, fakeResendEnv, fakeTwilioEnv, startFakeProviderServer, stubEnv, twilioDate, type FakeProviderServer, type RecordedRequest } from "@/tests/fake-provider-server";
import { createUser, meta } from "@/tests/helpers";
import { send } from ".";
import { GIVE_UP_AFTER_HOURS, RECONCILE_BATCH } from "./reconcile";

/**
 * Half-finished sends (issue 12, item 5): the provider accepted a message, then the database
 * refused to record it. The fault is real — a trigger makes every UPDATE of the delivery and
 * ledger tables fail as a read-only database does (SQLSTATE 25006, e.g. a failover to a
 * standby), switched on while the fake provider holds the request — so the errors come back
 * through the real driver on PGlite and on PostgreSQL, at the moment a real fault would hurt.
 */

const PHONE = "+14155552671";

let server: FakeProviderServer;
beforeAll(async () => {
  server = await startFakeProviderServer();
});
afterAll(() => server.close());

beforeEach(() => {
  clearProviderEnv();
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(async () => {
  await databaseRecovers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  server.reset();
});

const READ_ONLY_TABLES = ["message_deliveries", "credit_ledger"];

async function databaseTurnsReadOnly() {
  await db().execute(
    sql.raw(`create or replace function tessera_test_read_only() returns trigger language plpgsql as $$
      begin raise exception 'cannot execute UPDATE in a read-only transaction' using errcode = '25006'; end $$`),
  );
  for (const table of READ_ONLY_TABLES) {
    await db().execute(sql.raw(`create trigger tessera_test_read_only before update on ${table} for each row execute function tessera_test_read_only()`));
  }
}

async function databaseRecovers() {
  for (const table of READ_ONLY_TABLES) await db().execute(sql.raw(`drop trigger if exists tessera_test_read_only on ${table}`));
}

/** The provider accepts the message; while it answers, the database stops taking updates. */
function faultAfterProviderAccepts() {
  server.answer(async (request) => {
    if (request.method === "POST") await databaseTurnsReadOnly();
    return server.succeed(request);
  });
}

/** `ms` pass, for the database's rows and the fake provider's alike (their clocks move together). */
async function letTimePass(ms: number) {
  const back = sql`(${ms} * interval '1 millisecond')`;
  await db()
    .update(messageDeliveries)
    .set({ createdAt: sql`${messageDeliveries.createdAt} - ${back}`, updatedAt: sql`${messageDeliveries.updatedAt} - ${back}` });
  for (const resource of server.resources.values()) {
    if (typeof resource.date_created === "string") resource.date_created = twilioDate(new Date(Date.parse(resource.date_created) - ms));
  }
}

const MINUTE = 60_000;
/** The deliveries through the provider under test (sign-up's welcome email goes to the outbox). */
const deliveries = (provider?: string) =>
  db()
    .select()
    .from(messageDeliveries)
    .where(provider ? eq(messageDeliveries.provider, provider) : sql`${messageDeliveries.provider} <> 'outbox'`)
    .orderBy(messageDeliveries.createdAt);
const ledgerOf = (teamId: string) => db().select().from(creditLedger).where(eq(creditLedger.teamId, teamId));
const statusRequests = () => server.requests.filter((request: RecordedRequest) => request.method === "GET");
const smsCode = (userId: string, channel: "sms" | "voice" = "sms") => issueOtp({ userId, purpose: "step_up", channel, destination: PHONE }, meta);
const onlySid = () => [...server.resources.keys()].at(-1)!;

/**
 * A code sent to the person while the database fails right after the provider accepted it:
 * the person is told it went out (it did); the provider takes success answers again, the
 * database recovers, and the message's sid is returned.
 */
async function halfFinishedSend(userId: string, channel: "sms" | "voice" = "sms") {
  faultAfterProviderAccepts();
  expect(await smsCode(userId, channel)).toMatchObject({ ok: true });
  await databaseRecovers();
  server.answer((request) => server.succeed(request));
  return onlySid();
}

describe("a paid SMS whose status could not be recorded", () => {
  beforeEach(() => stubEnv(fakeTwilioEnv(server)));

  it("is settled from Twilio's message once the send's time is over, and its debit names it", async () => {
    const user = await createUser();
    // The person got the code: the send reports success although nothing after the provider's answer was recorded.
    const sid = await halfFinishedSend(user.userId);
    const [stuck] = await deliveries();
    expect(stuck).toMatchObject({ provider: "twilio", channel: "sms", status: "sending", providerMessageId: null });
    expect(await creditBalance(user.teamId)).toBe(49);
    expect(await ledgerOf(user.teamId)).toMatchObject([{ delta: -1, reason: "sms", messageId: stuck!.id }]);

    // While a send could still be under way, the reconciler leaves it alone and asks nobody.
    await runRetentionPass();
    expect((await deliveries())[0]).toMatchObject({ status: "sending" });
    expect(statusRequests()).toHaveLength(0);

    server.resources.get(sid)!.status = "delivered";
    await letTimePass(10 * MINUTE);
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 1, unknown: 0, retry: 0 });

    expect((await deliveries())[0]).toMatchObject({ id: stuck!.id, status: "delivered", providerMessageId: sid, error: null });
    expect(await ledgerOf(user.teamId)).toMatchObject([{ delta: -1, reason: "sms", messageId: stuck!.id }]);
    expect(await creditBalance(user.teamId)).toBe(49);
    // One look-up: Twilio's list of messages to that number from our number.
    const [lookUp, ...more] = statusRequests();
    expect(more).toHaveLength(0);
    const url = new URL(lookUp!.path, server.url);
    expect(url.pathname).toBe(`/2010-04-01/Accounts/${fakeTwilioEnv(server).TWILIO_ACCOUNT_SID}/Messages.json`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ To: PHONE, From: fakeTwilioEnv(server).TWILIO_FROM_NUMBER });
    expect(lookUp!.headers.authorization).toMatch(/^Basic /);

    // Settled is settled: later passes ask nothing more.
    await letTimePass(10 * MINUTE);
    await runRetentionPass();
    expect(statusRequests()).toHaveLength(1);
  });

  it("a voice call is settled from Twilio's call", async () => {
    const user = await createUser();
    const sid = await halfFinishedSend(user.userId, "voice");
    expect(sid).toMatch(/^CA/);
    server.resources.get(sid)!.status = "completed";

    await letTimePass(10 * MINUTE);
    await runRetentionPass();

    const [delivery] = await deliveries();
    expect(delivery).toMatchObject({ channel: "voice", status: "completed", providerMessageId: sid });
    expect(new URL(statusRequests()[0]!.path, server.url).pathname).toMatch(/\/Calls\.json$/);
    expect(await ledgerOf(user.teamId)).toMatchObject([{ reason: "voice", messageId: delivery!.id }]);
  });

  it("is `unknown` when Twilio has no message to that number from that time", async () => {
    const user = await createUser();
    const sid = await halfFinishedSend(user.userId);
    // Only an older message to the number, long before this send.
    server.resources.get(sid)!.date_created = twilioDate(new Date(Date.now() - 3 * 60 * MINUTE));

    await letTimePass(10 * MINUTE);
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 0, unknown: 1, retry: 0 });
    expect((await deliveries())[0]).toMatchObject({ status: "unknown", providerMessageId: null, error: expect.stringContaining("Twilio") });
  });

  it("stays `sending` while Twilio cannot answer, is asked again on a later pass, and is `unknown` after the cap", async () => {
    stubEnv({ MESSAGE_TIMEOUT_MS: "1000" });
    const user = await createUser();
    const sid = await halfFinishedSend(user.userId);
    server.resources.get(sid)!.status = "delivered";

    // Twilio is down: one for an error, then one that never answers.
    server.answer({ status: 503, json: { code: 20503, message: "Service Unavailable" } });
    await letTimePass(10 * MINUTE);
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 0, unknown: 0, retry: 1 });
    expect((await deliveries())[0]).toMatchObject({ status: "sending" });
    // Just tried: the next pass right after does not ask again.
    await runRetentionPass();
    expect(statusRequests()).toHaveLength(1);

    server.answer("hang");
    await letTimePass(10 * MINUTE);
    const started = performance.now();
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 0, unknown: 0, retry: 1 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(statusRequests()).toHaveLength(2);

    // Twilio is back: the next due pass settles it.
    server.answer((request) => server.succeed(request));
    await letTimePass(10 * MINUTE);
    await runRetentionPass();
    expect((await deliveries())[0]).toMatchObject({ status: "delivered", providerMessageId: sid });
  });

  it(`gives up after ${GIVE_UP_AFTER_HOURS} hours of a provider that cannot answer: \`unknown\`, never asked again`, async () => {
    const user = await createUser();
    await halfFinishedSend(user.userId);
    server.answer({ status: 500, json: { code: 20500, message: "Internal Server Error" } });

    await letTimePass((GIVE_UP_AFTER_HOURS * 60 + 1) * MINUTE);
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 0, unknown: 1, retry: 0 });
    expect((await deliveries())[0]).toMatchObject({ status: "unknown", error: expect.stringContaining("HTTP 500") });

    await letTimePass(10 * MINUTE);
    await runRetentionPass();
    expect(statusRequests()).toHaveLength(1);
  });

  it("two passes at once (two instances) ask the provider once", async () => {
    const user = await createUser();
    const sid = await halfFinishedSend(user.userId);

    await letTimePass(10 * MINUTE);
    await Promise.all([runRetentionPass(), runRetentionPass()]);
    expect(statusRequests()).toHaveLength(1);
    expect((await deliveries())[0]).toMatchObject({ status: "queued", providerMessageId: sid });
  });

  it("a delivery left `sending` with its sid recorded is fetched by its sid", async () => {
    const user = await createUser();
    expect(await smsCode(user.userId)).toMatchObject({ ok: true });
    const sid = onlySid();
    // As a status callback of Twilio's own "sending" was stored before it was told apart from Tessera's.
    await db().update(messageDeliveries).set({ status: "sending" }).where(eq(messageDeliveries.provider, "twilio"));
    server.resources.get(sid)!.status = "undelivered";
    server.resources.get(sid)!.error_code = 30003;

    await letTimePass(10 * MINUTE);
    await runRetentionPass();

    expect((await deliveries())[0]).toMatchObject({ status: "undelivered", providerMessageId: sid, error: "Twilio reported error 30003 for the SMS." });
    expect(new URL(statusRequests()[0]!.path, server.url).pathname).toMatch(new RegExp(`/Messages/${sid}\\.json$`));
  });

  it("the pass never throws while the database itself fails, and the delivery waits for the next", async () => {
    const user = await createUser();
    await halfFinishedSend(user.userId);
    await letTimePass(10 * MINUTE);

    await databaseTurnsReadOnly();
    const result = await runRetentionPass();
    expect(result.reconciled).toBeNull();
    await databaseRecovers();

    await runRetentionPass();
    expect((await deliveries())[0]).toMatchObject({ status: "queued" });
  });
});

describe("an email whose status could not be recorded", () => {
  it("through Resend, with its id lost, is `unknown`: Resend can only be asked by id", async () => {
    stubEnv(fakeResendEnv(server));
    faultAfterProviderAccepts();
    await send({ channel: "email", to: "ada@example.com", subject: "Your code", text: "Your code is 123456." });
    await databaseRecovers();
    expect(await deliveries()).toMatchObject([{ provider: "resend", status: "sending", providerMessageId: null }]);

    await letTimePass(10 * MINUTE);
    await runRetentionPass();

    expect(await deliveries()).toMatchObject([{ status: "unknown", error: expect.stringContaining("Resend") }]);
    expect(statusRequests()).toHaveLength(0);
  });

  it("through Resend, with its id known, takes Resend's last event", async () => {
    stubEnv(fakeResendEnv(server));
    const sent = await send({ channel: "email", to: "ada@example.com", subject: "Your code", text: "Your code is 123456." });
    server.resources.get(sent.providerMessageId!)!.last_event = "bounced";
    await db().update(messageDeliveries).set({ status: "sending" });

    await letTimePass(10 * MINUTE);
    await runRetentionPass();

    expect(await deliveries()).toMatchObject([{ status: "bounced", providerMessageId: sent.providerMessageId }]);
    expect(statusRequests().map((request) => request.path)).toEqual([`/emails/${sent.providerMessageId}`]);
  });
});

describe("the outbox", () => {
  it("settles from its own row: delivered when the outbox holds the message, failed when it does not", async () => {
    const kept = await send({ channel: "sms", to: PHONE, text: "Your code is 123456." });
    const lost = await send({ channel: "sms", to: PHONE, text: "Your code is 654321." });
    await db().delete(outbox).where(eq(outbox.id, lost.id));
    await db().update(messageDeliveries).set({ status: "sending" });

    await letTimePass(10 * MINUTE);
    await runRetentionPass();

    const byId = new Map((await deliveries("outbox")).map((row) => [row.id, row]));
    expect(byId.get(kept.id)).toMatchObject({ status: "delivered", providerMessageId: kept.id });
    expect(byId.get(lost.id)).toMatchObject({ status: "failed", error: expect.stringContaining("outbox") });
  });

  it(`does at most ${RECONCILE_BATCH} deliveries a pass; the rest wait for the next`, async () => {
    await db()
      .insert(messageDeliveries)
      .values(Array.from({ length: RECONCILE_BATCH + 5 }, () => ({ provider: "outbox", channel: "sms" as const, to: PHONE, status: "sending" })));
    await letTimePass(10 * MINUTE);

    expect((await runRetentionPass()).reconciled).toEqual({ settled: RECONCILE_BATCH, unknown: 0, retry: 0 });
    expect((await runRetentionPass()).reconciled).toEqual({ settled: 5, unknown: 0, retry: 0 });
    expect((await deliveries("outbox")).every((row) => row.status === "failed")).toBe(true);
  });
});
