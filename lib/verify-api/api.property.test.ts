import fc from "fast-check";
import { like } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { db } from "@/lib/db";
import { rateLimits } from "@/lib/db/schema";
import { OTHER_PHONE, PHONE } from "@/tests/helpers";
import { API_ERRORS } from "./errors";
import { call, codeSentTo, footprint, keyedTeam, post } from "@/tests/verify-api-client";

const KNOWN_CODES = new Set(Object.keys(API_ERRORS).filter((k) => k !== "route_not_found"));

const errorShape = z.strictObject({
  error: z.strictObject({
    code: z.string().refine((code) => KNOWN_CODES.has(code)),
    message: z.string().min(10),
    field: z.string().min(1).optional(),
  }),
});

const verificationShape = z.strictObject({
  id: z.uuid(),
  to: z.string(),
  channel: z.enum(["sms", "voice", "email"]),
  status: z.enum(["pending", "approved", "expired", "failed", "canceled"]),
  locale: z.enum(["en", "es", "fr", "de", "pt", "it", "nl"]),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  attempts_left: z.number().int().min(0).max(5),
});

type World = Awaited<ReturnType<typeof keyedTeam>> & { id: string; code: string };
let world: World;

beforeEach(async () => {
  const team = await keyedTeam();
  const created = await post("/api/v1/verifications", { to: PHONE, channel: "sms" }, team.key);
  const { id } = (await created.json()) as { id: string };
  world = { ...team, id, code: await codeSentTo(PHONE) };
});

/** Lets each run start under the per-key limit: the properties fire far more than 100 requests a second. */
async function freshSecond() {
  await db().delete(rateLimits).where(like(rateLimits.key, "api:key:%"));
}

/**
 * Sends one request and asserts what must hold for any input: no 500, the JSON shape of
 * the contract, no stack trace or code in the body, and no trace of a 4xx in the tables.
 */
async function expectSafe(send: () => Promise<Response>) {
  await freshSecond();
  const before = await footprint(world.teamId);
  const response = await send();
  const text = await response.text();
  expect(response.status, text).not.toBe(500);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(text).not.toContain(world.code);
  expect(text).not.toMatch(/\n\s+at |\.[jt]s:\d|node_modules|Error:/);
  const body: unknown = JSON.parse(text);
  if (response.status >= 400) {
    expect(errorShape.safeParse(body).success, text).toBe(true);
    if (response.status === 429) expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    if (response.status === 401) expect(response.headers.get("www-authenticate")).toBe("Bearer");
  } else {
    expect(verificationShape.safeParse(body).success, text).toBe(true);
  }
  if (response.status >= 400 && response.status < 500) expect(await footprint(world.teamId)).toEqual(before);
  return { status: response.status, body: body as Record<string, unknown> };
}

// Header values must be byte strings without line breaks (fetch refuses others before any handler runs).
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const anyJson = fc.jsonValue({ maxDepth: 3 });
const nearlyValidCreate = fc.record(
  {
    to: fc.oneof(fc.constantFrom(PHONE, OTHER_PHONE, "someone@example.com", "+1", "+999 999", "", " "), fc.string(), anyJson),
    channel: fc.oneof(fc.constantFrom("sms", "voice", "email", "SMS", "fax"), anyJson),
    locale: fc.oneof(fc.constantFrom("en", "es", "fr", "de", "pt", "it", "nl", "EN", "zz"), anyJson),
    code_length: fc.oneof(fc.integer({ min: -2, max: 14 }), fc.double(), anyJson),
    extra: anyJson,
  },
  { requiredKeys: [] },
);

describe("property: whatever is thrown at the API", () => {
  it("create: random and malformed bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearlyValidCreate, anyJson), async (body) => {
        await expectSafe(() => post("/api/v1/verifications", body, world.key));
      }),
      { numRuns: 100 },
    );
  });

  it("create: raw bytes that may not be JSON or UTF-8", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), async (raw) => {
        await expectSafe(() => call("POST", "/api/v1/verifications", { key: world.key, body: raw, headers: { "content-type": "application/json" } }));
      }),
      { numRuns: 60 },
    );
  });

  it("every endpoint: random headers (authorization, content-type, content-length lies, idempotency keys) and methods", async () => {
    const endpoints = () => [
      "/api/v1/verifications",
      `/api/v1/verifications/${world.id}`,
      `/api/v1/verifications/${world.id}/check`,
      `/api/v1/verifications/${world.id}/fallback`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.record(
          {
            authorization: fc.oneof(headerValue, fc.constant("KEY"), fc.constant("Bearer KEY "), headerValue.map((v) => `Bearer ${v}`)),
            "content-type": fc.oneof(headerValue, fc.constantFrom("application/json", "application/json; charset=latin1", "text/json", "multipart/form-data")),
            "content-length": fc.oneof(fc.nat().map(String), headerValue, fc.constant("99999999999999999999")),
            "idempotency-key": headerValue,
          },
          { requiredKeys: [] },
        ),
        fc.oneof(fc.constant(undefined), fc.constant('{"code":"000000"}'), fc.constant('{"channel":"voice"}'), fc.constant(`{"to":"${OTHER_PHONE}","channel":"sms"}`), fc.string({ maxLength: 50 })),
        async (endpoint, method, rawHeaders, body) => {
          const headers = Object.fromEntries(
            Object.entries(rawHeaders).map(([name, value]) => [name, value.replace("KEY", world.key)]),
          );
          await expectSafe(() => call(method, endpoints()[endpoint]!, { headers, body: method === "GET" ? undefined : body }));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("ids and paths: malformed, other, and random segments", async () => {
    const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom("..", "%00", "verifications", "check", "fallback", "openapi"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("GET", "POST"),
        fc.boolean(),
        async (segments, method, underVerifications) => {
          const parts = (underVerifications ? ["verifications", ...segments] : segments).map((s) => encodeURIComponent(s) || "x");
          const { status } = await expectSafe(() =>
            call(method, `/api/v1/${parts.join("/")}`, { key: world.key, body: method === "POST" ? { code: "000000", channel: "voice" } : undefined }),
          );
          expect(status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("check: random codes never approve and never leak", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{6}$/), anyJson), async (code) => {
        fc.pre(code !== world.code);
        const { status, body } = await expectSafe(() => post(`/api/v1/verifications/${world.id}/check`, { code }, world.key));
        if (typeof code !== "string") expect(status).toBe(400);
        if (status === 200) expect(["pending", "failed"]).toContain(body.status);
      }),
      { numRuns: 60 },
    );
  });
});
