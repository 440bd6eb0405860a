import { randomUUID } from "node:crypto";
import { and, asc, eq, like, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { apiIdempotency, apiKeys, creditLedger, rateLimits, verifications } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { creditBalance } from "@/lib/teams/credits";
import { lastCodeTo, meta, OTHER_PHONE, outboxTo, PHONE } from "@/tests/helpers";
import { API_ERRORS } from "./errors";
import { MAX_BODY_BYTES } from "./http";
import { abandonedAfterSeconds } from "./idempotency";
import { revokeApiKey } from "./keys";
import { call, codeSentTo, footprint, get, keyedTeam, post, setBalance } from "@/tests/verify-api-client";
import { captureLog } from "@/tests/log-spy";

// The real outbox sends, wrapped so a test can make one send fail.
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return { ...actual, send: vi.fn(actual.send) };
});

afterEach(() => {
  vi.restoreAllMocks();
  // Back to the real outbox send, dropping any failure a test queued and did not use.
  vi.mocked(send).mockReset();
});

const EMAIL = "someone@example.com";
const OTHER_EMAIL = "someone-else@example.com";
const CREATE = "/api/v1/verifications";
const path = (id: string, action?: "check" | "fallback") => `/api/v1/verifications/${id}${action ? `/${action}` : ""}`;

async function json(response: Response) {
  return (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string; field?: string } };
}

async function expectError(response: Response, status: number, code: string, field?: string) {
  const body = await json(response);
  expect({ status: response.status, code: body.error?.code, field: body.error?.field }).toEqual({ status, code, field });
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error!.message).toBe("string");
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe("no-store");
  return body.error!;
}

async function create(key: string, body: Record<string, unknown> = { to: PHONE, channel: "sms" }, headers?: Record<string, string>) {
  const response = await post(CREATE, body, key, headers);
  return { response, body: await json(response) };
}

/** Moves the verification's expiry into the past, as ten minutes would. */
async function expire(id: string) {
  await db().update(verifications).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(verifications.id, id));
}

const ledgerOf = (teamId: string) => db().select().from(creditLedger).where(eq(creditLedger.teamId, teamId)).orderBy(asc(creditLedger.seq));

describe("POST /api/v1/verifications", () => {
  it("sends an SMS code, answers 201 with the object (never the code), and spends one credit with a ledger row", async () => {
    const team = await keyedTeam();
    const { response, body } = await create(team.key);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      to: PHONE,
      channel: "sms",
      status: "pending",
      locale: "en",
      created_at: expect.any(String),
      expires_at: expect.any(String),
      attempts_left: 5,
    });
    const ttl = Date.parse(body.expires_at as string) - Date.parse(body.created_at as string);
    expect(ttl).toBeGreaterThan(599_000);
    expect(ttl).toBeLessThanOrEqual(600_000);

    const code = await lastCodeTo(PHONE);
    expect(JSON.stringify(body)).not.toContain(code);
    const [message] = await outboxTo(PHONE);
    expect(message!.text).toBe(`Your Acme verification code is ${code}. It expires in 10 minutes. Don't share it.`);
    expect(message!.text).not.toContain("@");

    const [row] = await db().select().from(verifications).where(eq(verifications.id, body.id as string));
    expect(row).toMatchObject({ teamId: team.teamId, apiKeyId: team.keyId, codeLength: 6, attempts: 0, sends: 1 });
    expect(row!.codeHash).not.toContain(code);
    expect(await creditBalance(team.teamId)).toBe(49);
    const ledger = await ledgerOf(team.teamId);
    expect(ledger).toMatchObject([{ delta: -1, reason: "sms", balanceAfter: 49 }]);
    expect(ledger[0]!.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("email: free, address lower-cased, subject without the code; locale and code_length honoured", async () => {
    const team = await keyedTeam();
    const { response, body } = await create(team.key, { to: "Someone@Example.COM", channel: "email", locale: "de", code_length: 8 });
    expect(response.status).toBe(201);
    expect(body).toMatchObject({ to: EMAIL, channel: "email", locale: "de" });
    const [message] = await outboxTo(EMAIL);
    const code = await codeSentTo(EMAIL);
    expect(code).toMatch(/^\d{8}$/);
    expect(message!.subject).toBe("Ihr Bestätigungscode für Acme");
    expect(message!.text).toContain(`lautet ${code}.`);
    expect(await creditBalance(team.teamId)).toBe(50);
    expect(await ledgerOf(team.teamId)).toHaveLength(0);
  });

  it("voice: the digits spoken one by one, twice; one credit", async () => {
    const team = await keyedTeam();
    const { response } = await create(team.key, { to: PHONE, channel: "voice", code_length: 6 });
    expect(response.status).toBe(201);
    const code = await codeSentTo(PHONE);
    const spoken = [...code].map((d) => `${d}.`).join(" ");
    expect((await outboxTo(PHONE))[0]!.text).toBe(`Your Acme verification code is: ${spoken}\nAgain: ${spoken}`);
    expect(await ledgerOf(team.teamId)).toMatchObject([{ reason: "voice", delta: -1 }]);
  });

  it("passes the locale to the provider (the voice call's language)", async () => {
    const team = await keyedTeam();
    await create(team.key, { to: PHONE, channel: "voice", locale: "fr" });
    expect(vi.mocked(send).mock.calls.at(-1)![0]).toMatchObject({ channel: "voice", to: PHONE, locale: "fr" });
  });

  it.each([
    [{ channel: "sms" }, "to"],
    [{ to: PHONE }, "channel"],
    [{ to: PHONE, channel: "fax" }, "channel"],
    [{ to: "4155552671", channel: "sms" }, "to"],
    [{ to: "+1 555 000", channel: "sms" }, "to"],
    [{ to: "not an address", channel: "email" }, "to"],
    [{ to: EMAIL, channel: "sms" }, "to"],
    [{ to: PHONE, channel: "email" }, "to"],
    [{ to: 14155552671, channel: "sms" }, "to"],
    [{ to: PHONE, channel: "sms", locale: "xx" }, "locale"],
    [{ to: PHONE, channel: "sms", code_length: 3 }, "code_length"],
    [{ to: PHONE, channel: "sms", code_length: 4 }, "code_length"],
    [{ to: PHONE, channel: "sms", code_length: 5 }, "code_length"],
    [{ to: PHONE, channel: "sms", code_length: 11 }, "code_length"],
    [{ to: PHONE, channel: "sms", code_length: 6.5 }, "code_length"],
    [{ to: PHONE, channel: "sms", code_length: "6" }, "code_length"],
    [{ to: PHONE, channel: "sms", extra: true }, "extra"],
  ])("400 invalid_request for %j, naming the field %s; nothing written", async (body, field) => {
    const team = await keyedTeam();
    const before = await footprint(team.teamId);
    await expectError(await post(CREATE, body, team.key), 400, "invalid_request", field);
    expect(await footprint(team.teamId)).toEqual(before);
  });

  it("a provider outage counts toward no limit: after five 502s to a number, the first send once the provider is back goes out", async () => {
    const team = await keyedTeam();
    captureLog();
    for (let i = 0; i < 5; i++) {
      vi.mocked(send).mockRejectedValueOnce(new Error("HTTP 500"));
      await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key), 502, "delivery_failed");
    }
    expect((await create(team.key)).response.status).toBe(201);
    // The fraud controls' team counters say one message went out, too.
    const minute = await db().select().from(rateLimits).where(like(rateLimits.key, `sms:team:minute:${team.teamId}`));
    expect(minute.map((row) => row.count)).toEqual([1]);
    expect(await creditBalance(team.teamId)).toBe(49);
  });

  it("refuses 4- and 5-digit codes with the reason (at least 20 bits, NIST SP 800-63B); nothing sent or spent", async () => {
    const team = await keyedTeam();
    for (const code_length of [4, 5]) {
      const response = await post(CREATE, { to: PHONE, channel: "sms", code_length }, team.key);
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error).toMatchObject({ code: "invalid_request", field: "code_length" });
      expect(body.error.message).toMatch(/at least 6 digits/);
    }
    expect(await outboxTo(PHONE)).toHaveLength(0);
    expect(await creditBalance(team.teamId)).toBe(50);
  });

  it("400 invalid_request without a field for a body that is not an object; 400 invalid_json for broken JSON", async () => {
    const team = await keyedTeam();
    await expectError(await post(CREATE, [1, 2], team.key), 400, "invalid_request");
    await expectError(await call("POST", CREATE, { key: team.key, body: "{not json", headers: { "content-type": "application/json" } }), 400, "invalid_json");
    await expectError(await call("POST", CREATE, { key: team.key, body: "", headers: { "content-type": "application/json" } }), 400, "invalid_json");
  });

  it("accepts a phone number written with spaces and stores it in E.164", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key, { to: "+1 (415) 555-2671", channel: "sms" });
    expect(body.to).toBe(PHONE);
  });
});

describe("authentication and the request pipeline", () => {
  it("401 with WWW-Authenticate for a missing, malformed, unknown or revoked key, the same answer each time", async () => {
    const team = await keyedTeam();
    const unknown = `tsk_live_${"A".repeat(32)}`;
    const answers = [];
    for (const header of [undefined, "Basic abc", `Bearer ${team.key}x`, `Bearer ${unknown}`, team.key]) {
      const response = await call("POST", CREATE, { body: { to: PHONE, channel: "sms" }, headers: header ? { authorization: header } : {} });
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
      answers.push(await expectError(response, 401, "unauthorized"));
    }
    expect(await revokeApiKey(team.teamId, { id: team.userId }, team.keyId, meta)).toEqual({ ok: true });
    const revoked = await get(path(randomUUID()), team.key);
    answers.push(await expectError(revoked, 401, "unauthorized"));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await outboxTo(PHONE)).toHaveLength(0);
  });

  it("415 for a POST that is not JSON, before the body is read", async () => {
    const team = await keyedTeam();
    for (const type of [undefined, "text/plain", "application/x-www-form-urlencoded", "application/jsonp"]) {
      const response = await call("POST", CREATE, { key: team.key, body: JSON.stringify({ to: PHONE, channel: "sms" }), headers: type ? { "content-type": type } : {} });
      await expectError(response, 415, "unsupported_media_type");
    }
    const withCharset = await call("POST", CREATE, { key: team.key, body: JSON.stringify({ to: PHONE, channel: "sms" }), headers: { "content-type": "Application/JSON; charset=utf-8" } });
    expect(withCharset.status).toBe(201);
  });

  it("413 over 16 KiB: by Content-Length, and by the bytes of a chunked stream without one", async () => {
    const team = await keyedTeam();
    const big = JSON.stringify({ to: PHONE, channel: "sms", pad: "x".repeat(MAX_BODY_BYTES) });
    await expectError(await call("POST", CREATE, { key: team.key, body: big, headers: { "content-type": "application/json" } }), 413, "payload_too_large");
    await expectError(
      await call("POST", CREATE, { key: team.key, body: "{}", headers: { "content-type": "application/json", "content-length": String(MAX_BODY_BYTES + 1) } }),
      413,
      "payload_too_large",
    );

    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode(" ".repeat(1024)));
      },
    });
    const streamed = await call("POST", CREATE, { key: team.key, body: endless, headers: { "content-type": "application/json" } });
    await expectError(streamed, 413, "payload_too_large");
    expect(pulled).toBeLessThan(40);

    // A Content-Length that understates the body does not get the rest through.
    const lying = await call("POST", CREATE, { key: team.key, body: big, headers: { "content-type": "application/json", "content-length": "10" } });
    await expectError(lying, 413, "payload_too_large");
    expect(await outboxTo(PHONE)).toHaveLength(0);
  });

  it("exactly 16 KiB is accepted (then refused by the schema for its padding)", async () => {
    const team = await keyedTeam();
    const base = JSON.stringify({ to: PHONE, channel: "sms", pad: "" });
    const body = JSON.stringify({ to: PHONE, channel: "sms", pad: "x".repeat(MAX_BODY_BYTES - base.length) });
    expect(body.length).toBe(MAX_BODY_BYTES);
    await expectError(await call("POST", CREATE, { key: team.key, body, headers: { "content-type": "application/json" } }), 400, "invalid_request", "pad");
  });

  it("429 per key past 100 requests in a second, with Retry-After; another key is unaffected", async () => {
    const team = await keyedTeam();
    const other = await keyedTeam();
    const id = randomUUID();
    expect((await get(path(id), team.key)).status).toBe(404);
    // 100 requests already this second, without spending a second making them.
    await db().update(rateLimits).set({ count: 100, resetAt: sql`now() + interval '1 second'` }).where(eq(rateLimits.key, `api:key:${team.keyId}`));
    const limited = await post(CREATE, { to: PHONE, channel: "sms" }, team.key);
    await expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await outboxTo(PHONE)).toHaveLength(0);
    expect((await get(path(id), other.key)).status).toBe(404);
  });

  it("the per-key limit counts every authenticated request, whatever its answer", async () => {
    const team = await keyedTeam();
    await Promise.all(Array.from({ length: 30 }, () => get(path("nope"), team.key)));
    const [row] = await db().select().from(rateLimits).where(eq(rateLimits.key, `api:key:${team.keyId}`));
    // Thirty requests may straddle a window boundary, which restarts the count.
    expect(row!.count).toBeGreaterThan(0);
    expect(row!.count).toBeLessThanOrEqual(30);
  });

  it("404 JSON for unknown paths under /api/v1, 405 with Allow for a method a route does not serve", async () => {
    const team = await keyedTeam();
    await expectError(await call("GET", "/api/v1/nothing", { key: team.key }), 404, "not_found");
    await expectError(await call("POST", "/api/v1/verifications/x/y/z", { key: team.key, body: {} }), 404, "not_found");
    const wrong = await call("GET", CREATE, { key: team.key });
    await expectError(wrong, 405, "method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
    const deleteOne = await call("DELETE", path(randomUUID()), { key: team.key });
    await expectError(deleteOne, 405, "method_not_allowed");
    expect(deleteOne.headers.get("allow")).toBe("GET, HEAD");
  });

  it("500 for an unexpected failure: logged, answered without a stack or the error's text", async () => {
    const team = await keyedTeam();
    const logged = captureLog();
    // A send failure is a 502; a database failure is not.
    const spy = vi.spyOn(db(), "insert").mockImplementationOnce(() => {
      throw new Error("database is on fire at /srv/db.ts:12");
    });
    const response = await post(CREATE, { to: EMAIL, channel: "email" }, team.key);
    const error = await expectError(response, 500, "internal_error");
    expect(error.message).toBe(API_ERRORS.internal_error.message);
    const text = JSON.stringify(error);
    expect(text).not.toContain("fire");
    expect(text).not.toContain("/srv");
    expect(logged.text()).toContain("database is on fire");
    spy.mockRestore();
  });
});

describe("POST /api/v1/verifications/{id}/check", () => {
  it("the right code approves once; a second check is 409 already_approved", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const code = await lastCodeTo(PHONE);
    const approved = await post(path(body.id as string, "check"), { code }, team.key);
    expect(approved.status).toBe(200);
    expect(await json(approved)).toMatchObject({ id: body.id, status: "approved", attempts_left: 4 });
    await expectError(await post(path(body.id as string, "check"), { code }, team.key), 409, "already_approved");
    await expectError(await post(path(body.id as string, "check"), { code: "000000" }, team.key), 409, "already_approved");
  });

  it("wrong codes count down; the 5th wrong one fails the verification and the right code no longer works", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    const code = await lastCodeTo(PHONE);
    const wrong = code === "000000" ? "111111" : "000000";
    const lefts = [];
    for (const attempt of [wrong, "12", "abcdef", `${code}0`]) {
      const response = await post(path(id, "check"), { code: attempt }, team.key);
      expect(response.status).toBe(200);
      const result = await json(response);
      expect(result.status).toBe("pending");
      lefts.push(result.attempts_left);
    }
    expect(lefts).toEqual([4, 3, 2, 1]);
    const fifth = await json(await post(path(id, "check"), { code: wrong }, team.key));
    expect(fifth).toMatchObject({ status: "failed", attempts_left: 0 });
    const after = await json(await post(path(id, "check"), { code }, team.key));
    expect(after).toMatchObject({ status: "failed", attempts_left: 0 });
    expect((await db().select().from(verifications).where(eq(verifications.id, id)))[0]!.attempts).toBe(5);
  });

  it("an expired verification answers 200 expired, and the right code does not approve it", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const code = await lastCodeTo(PHONE);
    await expire(body.id as string);
    const response = await post(path(body.id as string, "check"), { code }, team.key);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ status: "expired", attempts_left: 5 });
    expect(await json(await get(path(body.id as string), team.key))).toMatchObject({ status: "expired" });
  });

  it("400 for a missing or non-string code", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    await expectError(await post(path(body.id as string, "check"), {}, team.key), 400, "invalid_request", "code");
    await expectError(await post(path(body.id as string, "check"), { code: 123456 }, team.key), 400, "invalid_request", "code");
    expect((await db().select().from(verifications))[0]!.attempts).toBe(0);
  });

  it("20 parallel checks with the right code: exactly one 200 approved", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const code = await lastCodeTo(PHONE);
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(path(body.id as string, "check"), { code }, team.key)));
    const results = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await json(r) })));
    expect(results.filter((r) => r.status === 200 && r.body.status === "approved")).toHaveLength(1);
    for (const r of results.filter((r) => !(r.status === 200 && r.body.status === "approved"))) {
      expect(r.status === 409 ? r.body.error?.code : r.body.status).toMatch(/already_approved|failed/);
    }
    const [row] = await db().select().from(verifications).where(eq(verifications.id, body.id as string));
    expect(row!.status).toBe("approved");
    expect(row!.attempts).toBeLessThanOrEqual(5);
  });
});

describe("GET /api/v1/verifications/{id} and 404s", () => {
  it("returns the current state; unknown, malformed and another team's ids are all 404 not_found", async () => {
    const team = await keyedTeam();
    const other = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    const got = await get(path(id), team.key);
    expect(got.status).toBe(200);
    expect(await json(got)).toEqual(body);

    const answers = [];
    for (const [p, key] of [
      [path(randomUUID()), team.key],
      [path("not-a-uuid"), team.key],
      [path("'; drop table verifications;--"), team.key],
      [path(id), other.key],
    ] as const) {
      answers.push(await expectError(await get(p, key), 404, "not_found"));
    }
    await expectError(await post(path(id, "check"), { code: "123456" }, other.key), 404, "not_found");
    await expectError(await post(path(id, "fallback"), { channel: "voice" }, other.key), 404, "not_found");
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect((await db().select().from(verifications))[0]!.attempts).toBe(0);
  });
});

describe("replacement", () => {
  it("a new verification to the same `to` cancels the pending one: its code no longer approves", async () => {
    const team = await keyedTeam();
    const first = await create(team.key);
    const oldCode = await lastCodeTo(PHONE);
    const second = await create(team.key, { to: PHONE, channel: "voice" });
    const newCode = await codeSentTo(PHONE);

    expect(await json(await get(path(first.body.id as string), team.key))).toMatchObject({ status: "canceled" });
    const oldCheck = await json(await post(path(first.body.id as string, "check"), { code: oldCode }, team.key));
    expect(oldCheck).toMatchObject({ status: "canceled" });
    const newCheck = await json(await post(path(second.body.id as string, "check"), { code: newCode }, team.key));
    expect(newCheck).toMatchObject({ status: "approved" });
  });

  it("does not touch other destinations or other teams' verifications", async () => {
    const team = await keyedTeam();
    const other = await keyedTeam();
    const mine = await create(team.key);
    const theirs = await create(other.key);
    await create(team.key, { to: OTHER_PHONE, channel: "sms" });
    expect(await json(await get(path(mine.body.id as string), team.key))).toMatchObject({ status: "pending" });
    await create(team.key);
    expect(await json(await get(path(theirs.body.id as string), other.key))).toMatchObject({ status: "pending" });
  });

  it("when the new send fails, the old verification stays pending and its code still approves", async () => {
    const team = await keyedTeam();
    const first = await create(team.key);
    const oldCode = await lastCodeTo(PHONE);
    captureLog();
    vi.mocked(send).mockRejectedValueOnce(new Error("provider timeout"));
    const failed = await post(CREATE, { to: PHONE, channel: "sms" }, team.key);
    await expectError(failed, 502, "delivery_failed");
    const approved = await json(await post(path(first.body.id as string, "check"), { code: oldCode }, team.key));
    expect(approved).toMatchObject({ status: "approved" });
  });
});

describe("credits, destination limit and delivery failure", () => {
  it("402 at 0 credits for sms and voice: nothing sent, no row, no counter; email still works", async () => {
    const team = await keyedTeam();
    await setBalance(team.teamId, 0);
    const before = await footprint(team.teamId);
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key), 402, "insufficient_credits");
    await expectError(await post(CREATE, { to: PHONE, channel: "voice" }, team.key), 402, "insufficient_credits");
    expect(await footprint(team.teamId)).toEqual(before);
    expect(await db().select().from(rateLimits).where(like(rateLimits.key, "verify:dest:%"))).toHaveLength(0);
    expect((await post(CREATE, { to: EMAIL, channel: "email" }, team.key)).status).toBe(201);
  });

  it("429 per destination after 5 sends in an hour, with Retry-After; another number and another team are unaffected", async () => {
    const team = await keyedTeam();
    const other = await keyedTeam();
    for (let i = 0; i < 5; i++) expect((await create(team.key)).response.status).toBe(201);
    const before = await footprint(team.teamId);
    const limited = await post(CREATE, { to: PHONE, channel: "sms" }, team.key);
    await expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(await footprint(team.teamId)).toEqual(before);
    expect((await create(team.key, { to: OTHER_PHONE, channel: "sms" })).response.status).toBe(201);
    expect((await create(other.key)).response.status).toBe(201);

    for (let i = 0; i < 5; i++) expect((await create(team.key, { to: EMAIL, channel: "email" })).response.status).toBe(201);
    await expectError(await post(CREATE, { to: EMAIL, channel: "email" }, team.key), 429, "rate_limited");
  });

  it("aliases of one mailbox share its limit, and all teams together get 10 an hour to one destination", async () => {
    const [first, second, third] = [await keyedTeam(), await keyedTeam(), await keyedTeam()];
    for (const alias of ["anna@gmail.com", "a.nna@gmail.com", "anna+1@gmail.com", "Anna+2@googlemail.com", "an.na+3@gmail.com"]) {
      expect((await create(first.key, { to: alias, channel: "email" })).response.status).toBe(201);
    }
    await expectError(await post(CREATE, { to: "anna+6@gmail.com", channel: "email" }, first.key), 429, "rate_limited");
    for (let i = 0; i < 5; i++) expect((await create(second.key, { to: "anna@gmail.com", channel: "email" })).response.status).toBe(201);
    const limited = await post(CREATE, { to: "anna@gmail.com", channel: "email" }, third.key);
    await expectError(limited, 429, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(3000);
    // The message goes to the address as given.
    expect(await outboxTo("anna+1@gmail.com")).toHaveLength(1);
  });

  it("502 delivery_failed when the provider fails: no credit spent, no verification left, the code not logged", async () => {
    const team = await keyedTeam();
    const logged = captureLog();
    vi.mocked(send).mockImplementationOnce(async (message) => {
      throw new Error(`provider rejected: ${message.text}`);
    });
    const response = await post(CREATE, { to: PHONE, channel: "sms" }, team.key);
    const error = await expectError(response, 502, "delivery_failed");
    expect(error.message).toBe("The message could not be delivered. Try again in a moment.");
    expect(await db().select().from(verifications)).toHaveLength(0);
    expect(await creditBalance(team.teamId)).toBe(50);
    expect(await ledgerOf(team.teamId)).toHaveLength(0);
    const line = logged.text();
    expect(line).toContain("provider rejected");
    expect(line).toContain("[code]");
    expect(line).not.toMatch(/\d{6}/);
  });
});

describe("POST /api/v1/verifications/{id}/fallback", () => {
  it("resends by voice with a new code: old code dead, attempts kept, expiry reset, one more credit and ledger row", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    const oldCode = await lastCodeTo(PHONE);
    const wrong = oldCode === "000000" ? "111111" : "000000";
    await post(path(id, "check"), { code: wrong }, team.key);
    await db().update(verifications).set({ expiresAt: sql`now() + interval '1 minute'` }).where(eq(verifications.id, id));

    const response = await post(path(id, "fallback"), { channel: "voice" }, team.key);
    expect(response.status).toBe(200);
    const result = await json(response);
    expect(result).toMatchObject({ id, channel: "voice", status: "pending", attempts_left: 4 });
    expect(Date.parse(result.expires_at as string) - Date.now()).toBeGreaterThan(9 * 60_000);

    const messages = await outboxTo(PHONE);
    expect(messages.map((m) => m.channel)).toEqual(["sms", "voice"]);
    const newCode = await codeSentTo(PHONE);
    expect(vi.mocked(send).mock.calls.at(-1)![0]).toMatchObject({ channel: "voice", locale: "en" });
    const [row] = await db().select().from(verifications).where(eq(verifications.id, id));
    expect(row).toMatchObject({ sends: 2, attempts: 1, channel: "voice" });
    expect(await creditBalance(team.teamId)).toBe(48);
    expect(await ledgerOf(team.teamId)).toMatchObject([{ reason: "sms" }, { reason: "voice", balanceAfter: 48 }]);

    if (oldCode !== newCode) {
      expect(await json(await post(path(id, "check"), { code: oldCode }, team.key))).toMatchObject({ status: "pending", attempts_left: 3 });
    }
    expect(await json(await post(path(id, "check"), { code: newCode }, team.key))).toMatchObject({ status: "approved" });
  });

  it("409 fallback_unavailable for an email verification, before credits are looked at", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key, { to: EMAIL, channel: "email" });
    await setBalance(team.teamId, 0);
    await expectError(await post(path(body.id as string, "fallback"), { channel: "voice" }, team.key), 409, "fallback_unavailable");
  });

  it("409 verification_not_pending once approved, expired, failed or canceled", async () => {
    const team = await keyedTeam();
    const approved = await create(team.key);
    await post(path(approved.body.id as string, "check"), { code: await lastCodeTo(PHONE) }, team.key);
    const expired = await create(team.key, { to: OTHER_PHONE, channel: "sms" });
    await expire(expired.body.id as string);
    const replaced = await create(team.key, { to: "+447400123456", channel: "sms" });
    await create(team.key, { to: "+447400123456", channel: "sms" });
    const failed = await create(team.key, { to: "+4915123456789", channel: "sms" });
    await db().update(verifications).set({ status: "failed", attempts: 5 }).where(eq(verifications.id, failed.body.id as string));
    const before = await footprint(team.teamId);
    for (const v of [approved, expired, replaced, failed]) {
      await expectError(await post(path(v.body.id as string, "fallback"), { channel: "voice" }, team.key), 409, "verification_not_pending");
    }
    expect(await footprint(team.teamId)).toEqual(before);
  });

  it("409 too_many_sends after 3 sends; 400 for another channel", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    await expectError(await post(path(id, "fallback"), { channel: "sms" }, team.key), 400, "invalid_request", "channel");
    expect((await post(path(id, "fallback"), { channel: "voice" }, team.key)).status).toBe(200);
    expect((await post(path(id, "fallback"), { channel: "voice" }, team.key)).status).toBe(200);
    await expectError(await post(path(id, "fallback"), { channel: "voice" }, team.key), 409, "too_many_sends");
    expect(await outboxTo(PHONE)).toHaveLength(3);
  });

  it("402 at 0 credits and 429 at the destination limit, nothing sent; 502 keeps the old code working", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    const code = await lastCodeTo(PHONE);
    await setBalance(team.teamId, 0);
    await expectError(await post(path(id, "fallback"), { channel: "voice" }, team.key), 402, "insufficient_credits");
    await setBalance(team.teamId, 10);

    captureLog();
    vi.mocked(send).mockRejectedValueOnce(new Error("provider timeout"));
    await expectError(await post(path(id, "fallback"), { channel: "voice" }, team.key), 502, "delivery_failed");
    expect(await creditBalance(team.teamId)).toBe(10);
    const [row] = await db().select().from(verifications).where(eq(verifications.id, id));
    expect(row).toMatchObject({ sends: 1, channel: "sms" });

    await db().update(rateLimits).set({ count: 5 }).where(eq(rateLimits.key, `verify:dest:${team.teamId}:${PHONE}`));
    const limited = await post(path(id, "fallback"), { channel: "voice" }, team.key);
    await expectError(limited, 429, "rate_limited");
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await outboxTo(PHONE)).toHaveLength(1);
    expect(await json(await post(path(id, "check"), { code }, team.key))).toMatchObject({ status: "approved" });
  });

  it("a verification that expires while the call is placed stays expired, and the call's code approves nothing", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const id = body.id as string;
    const actual = vi.mocked(send).getMockImplementation()!;
    vi.mocked(send).mockImplementationOnce(async (message) => {
      await db().update(verifications).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(verifications.id, id));
      return actual(message);
    });
    expect(await json(await post(path(id, "fallback"), { channel: "voice" }, team.key))).toMatchObject({ id, status: "expired" });
    const callCode = await codeSentTo(PHONE);
    expect(await json(await post(path(id, "check"), { code: callCode }, team.key))).toMatchObject({ status: "expired" });
  });

  it("concurrent fallbacks never pass 3 sends", async () => {
    const team = await keyedTeam();
    const { body } = await create(team.key);
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(path(body.id as string, "fallback"), { channel: "voice" }, team.key)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(2);
    const [row] = await db().select().from(verifications).where(eq(verifications.id, body.id as string));
    expect(row!.sends).toBe(3);
    expect(await creditBalance(team.teamId)).toBe(47);
  });
});

/** Starts a create whose provider call waits until `release()`; resolves once the send has begun. */
async function startHeldCreate(key: string, headers: Record<string, string>) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const actual = vi.mocked(send).getMockImplementation()!;
  vi.mocked(send).mockImplementationOnce(async (message) => {
    await gate;
    return actual(message);
  });
  const first = post(CREATE, { to: PHONE, channel: "sms" }, key, headers);
  await vi.waitFor(() => expect(vi.mocked(send)).toHaveBeenCalled());
  return { first, release };
}

describe("Idempotency-Key", () => {
  it("a replay returns the first answer with Idempotent-Replayed and sends nothing more", async () => {
    const team = await keyedTeam();
    const headers = { "idempotency-key": "order-42" };
    const first = await create(team.key, { to: PHONE, channel: "sms" }, headers);
    expect(first.response.status).toBe(201);
    expect(first.response.headers.get("idempotent-replayed")).toBeNull();
    // The same request, spelled differently.
    const again = await post(CREATE, { channel: "sms", to: "+1 415 555 2671", locale: "en" }, team.key, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toEqual(first.body);
    expect(await outboxTo(PHONE)).toHaveLength(1);
    expect(await creditBalance(team.teamId)).toBe(49);
  });

  it("409 idempotency_key_reused for another body; keys are per API key", async () => {
    const team = await keyedTeam();
    const other = await keyedTeam();
    const headers = { "idempotency-key": "k1" };
    await create(team.key, { to: PHONE, channel: "sms" }, headers);
    await expectError(await post(CREATE, { to: OTHER_PHONE, channel: "sms" }, team.key, headers), 409, "idempotency_key_reused");
    expect((await create(other.key, { to: PHONE, channel: "sms" }, headers)).response.status).toBe(201);
    expect(await outboxTo(OTHER_PHONE)).toHaveLength(0);
  });

  it("409 idempotency_in_progress while the first request runs", async () => {
    const team = await keyedTeam();
    const headers = { "idempotency-key": "slow" };
    const { first, release } = await startHeldCreate(team.key, headers);
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers), 409, "idempotency_in_progress");
    release();
    expect((await first).status).toBe(201);
    expect((await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers)).headers.get("idempotent-replayed")).toBe("true");
  });

  it("an in-flight claim outlives the provider timeout: a retry during a slow send never sends twice", async () => {
    vi.stubEnv("MESSAGE_TIMEOUT_MS", "60000");
    const team = await keyedTeam();
    const headers = { "idempotency-key": "slow-provider" };
    const { first, release } = await startHeldCreate(team.key, headers);
    const age = async (seconds: number) =>
      db()
        .update(apiIdempotency)
        .set({ createdAt: sql`now() - (${seconds} * interval '1 second')` })
        .where(and(eq(apiIdempotency.apiKeyId, team.keyId), eq(apiIdempotency.key, "slow-provider")));
    // 90 s into a send that may take 60 s: the first request is still allowed to be alive.
    await age(90);
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers), 409, "idempotency_in_progress");
    release();
    expect((await first).status).toBe(201);
    expect(await outboxTo(PHONE)).toHaveLength(1);
    expect(await creditBalance(team.teamId)).toBe(49);
    vi.unstubAllEnvs();
  });

  it("a claim older than the provider timeout plus the margin died with its process: the key is free again", async () => {
    const team = await keyedTeam();
    await db().insert(apiIdempotency).values({
      apiKeyId: team.keyId,
      key: "crashed",
      requestHash: "whatever",
      createdAt: sql`now() - (${abandonedAfterSeconds(5_000) + 1} * interval '1 second')`,
    });
    expect((await post(CREATE, { to: PHONE, channel: "sms" }, team.key, { "idempotency-key": "crashed" })).status).toBe(201);
  });

  it("429 and 502 answers are not stored: a retry with the same key runs again", async () => {
    const team = await keyedTeam();
    const headers = { "idempotency-key": "retry-me" };
    for (let i = 0; i < 5; i++) await create(team.key);
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers), 429, "rate_limited");
    expect(await db().select().from(apiIdempotency)).toHaveLength(0);
    await db().delete(rateLimits).where(like(rateLimits.key, "verify:dest:%"));

    captureLog();
    vi.mocked(send).mockRejectedValueOnce(new Error("provider timeout"));
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers), 502, "delivery_failed");
    expect(await db().select().from(apiIdempotency)).toHaveLength(0);

    const ok = await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers);
    expect(ok.status).toBe(201);
    expect(ok.headers.get("idempotent-replayed")).toBeNull();
  });

  it("a 402 is stored and replayed; after 24 hours the key is free again", async () => {
    const team = await keyedTeam();
    const headers = { "idempotency-key": "day-old" };
    await setBalance(team.teamId, 0);
    await expectError(await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers), 402, "insufficient_credits");
    await setBalance(team.teamId, 5);
    const replayed = await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers);
    await expectError(replayed, 402, "insufficient_credits");
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");

    await db()
      .update(apiIdempotency)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(and(eq(apiIdempotency.apiKeyId, team.keyId), eq(apiIdempotency.key, "day-old")));
    expect((await post(CREATE, { to: PHONE, channel: "sms" }, team.key, headers)).status).toBe(201);
  });

  it("answers older than a day are pruned on any key's next idempotent request", async () => {
    const [first, second] = [await keyedTeam(), await keyedTeam()];
    expect((await post(CREATE, { to: EMAIL, channel: "email" }, first.key, { "idempotency-key": "old" })).status).toBe(201);
    expect((await post(CREATE, { to: EMAIL, channel: "email" }, first.key, { "idempotency-key": "fresh" })).status).toBe(201);
    await db()
      .update(apiIdempotency)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(apiIdempotency.key, "old"));
    expect((await post(CREATE, { to: OTHER_EMAIL, channel: "email" }, second.key, { "idempotency-key": "other" })).status).toBe(201);
    const keys = (await db().select({ key: apiIdempotency.key }).from(apiIdempotency)).map((row) => row.key).sort();
    expect(keys).toEqual(["fresh", "other"]);
  });

  it("400 for an Idempotency-Key that is empty, too long or not printable ASCII", async () => {
    const team = await keyedTeam();
    for (const key of ["", "x".repeat(256), "clé"]) {
      const response = await post(CREATE, { to: PHONE, channel: "sms" }, team.key, { "idempotency-key": key });
      await expectError(response, 400, "invalid_request", "Idempotency-Key");
    }
    expect(await outboxTo(PHONE)).toHaveLength(0);
  });
});

describe("API keys", () => {
  it("a request records the key's last use", async () => {
    const team = await keyedTeam();
    await get(path(randomUUID()), team.key);
    const [row] = await db().select().from(apiKeys).where(eq(apiKeys.id, team.keyId));
    expect(row!.lastUsedAt).toBeInstanceOf(Date);
  });
});
