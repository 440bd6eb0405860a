import { randomUUID } from "node:crypto";
import net from "node:net";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as openApiRoute from "@/app/api/v1/openapi.json/route";
import { db } from "@/lib/db";
import { apiIdempotency, rateLimits, teams } from "@/lib/db/schema";
import { lastCodeTo, OTHER_PHONE, PHONE } from "@/tests/helpers";
import { requestHash } from "./idempotency";
import {
  DOCUMENTED_ERRORS,
  API_OPERATIONS,
  errorsByStatus,
  openApiDocument,
  REQUESTS_PER_KEY_PER_SECOND,
  SENDS_PER_DESTINATION_PER_HOUR,
  type OpenApiDocument,
} from "./openapi";
import { createVerificationSchema } from "./schemas";
import { call, get, keyedTeam, post, setBalance } from "@/tests/verify-api-client";
import { captureLog } from "@/tests/log-spy";

const document = openApiDocument(new URL("https://tessera.example.com"));

/** Replaces every local `$ref` with what it points to (the document has no cycles). */
function resolve<T>(value: T, root: unknown = document): T {
  if (Array.isArray(value)) return value.map((item) => resolve(item, root)) as T;
  if (!value || typeof value !== "object") return value;
  const { $ref, ...rest } = value as Record<string, unknown>;
  if (typeof $ref === "string") {
    const target = $ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
    if (target === undefined) throw new Error(`unresolved $ref ${$ref}`);
    return resolve({ ...(target as object), ...rest }, root) as T;
  }
  return Object.fromEntries(Object.entries(rest).map(([key, child]) => [key, resolve(child, root)])) as T;
}

/** Strict: a keyword ajv does not know (a typo, an OpenAPI 3.0 leftover like `example`) fails to compile. */
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const compiled = new Map<unknown, ValidateFunction>();
function validatorFor(schema: object): ValidateFunction {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  return compiled.get(schema)!;
}

type Operation = NonNullable<OpenApiDocument["paths"][string]["get"]>;
type Resolved = {
  responses: Record<string, { headers?: Record<string, { required?: boolean; schema: object }>; content?: Record<string, { schema: object; example?: unknown; examples?: Record<string, { value: unknown }> }> }>;
  requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
};

function operation(path: string, method: "get" | "post"): Resolved {
  const found = document.paths[path]?.[method];
  if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return resolve(found as Operation) as unknown as Resolved;
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // The validator is not a rubber stamp: a response without its description fails.
    const broken = structuredClone(document) as unknown as { paths: Record<string, Record<string, { responses: Record<string, { description?: string }> }>> };
    delete broken.paths["/verifications"]!.post!.responses["201"]!.description;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("names the API, its version, the configured server and the bearer scheme", () => {
    expect(document.info).toMatchObject({ title: "Tessera Verify API", version: "1" });
    expect(document.servers).toEqual([{ url: "https://tessera.example.com/api/v1", description: expect.any(String) }]);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.paths["/openapi.json"]?.get?.security).toEqual([]);
  });

  it("has the four operations and itself, each with every status of its table", () => {
    expect(Object.keys(document.paths).sort()).toEqual(["/openapi.json", "/verifications", "/verifications/{id}", "/verifications/{id}/check", "/verifications/{id}/fallback"]);
    expect(Object.keys(operation("/verifications", "post").responses).sort()).toEqual(["201", "400", "401", "402", "403", "405", "409", "413", "415", "429", "500", "502", "503"]);
    expect(Object.keys(operation("/verifications/{id}", "get").responses).sort()).toEqual(["200", "401", "404", "405", "429", "500", "503"]);
    expect(Object.keys(operation("/verifications/{id}/check", "post").responses).sort()).toEqual(["200", "400", "401", "404", "405", "409", "413", "415", "429", "500", "503"]);
    expect(Object.keys(operation("/verifications/{id}/fallback", "post").responses).sort()).toEqual(["200", "400", "401", "402", "403", "404", "405", "409", "413", "415", "429", "500", "502", "503"]);
  });

  it("documents the headers: Retry-After on 429 and 503, WWW-Authenticate on 401, Allow on 405, Idempotency-Key and Idempotent-Replayed on create", () => {
    for (const { path, method } of API_OPERATIONS) {
      const { responses } = operation(path, method);
      if (responses["429"]) expect(responses["429"].headers?.["Retry-After"]?.required, `${path} 429`).toBe(true);
      // Where a 503 can also be channel_not_configured (not transient), Retry-After comes with service_unavailable only.
      if (responses["503"]) expect(responses["503"].headers?.["Retry-After"], `${path} 503`).toBeDefined();
      if (responses["401"]) expect(responses["401"].headers?.["WWW-Authenticate"]?.required, `${path} 401`).toBe(true);
      expect(responses["405"]?.headers?.Allow?.required, `${path} 405`).toBe(true);
    }
    const create = resolve(document.paths["/verifications"]!.post!);
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header" }));
    expect(operation("/verifications", "post").responses["201"]!.headers).toHaveProperty("Idempotent-Replayed");
  });

  it("has request schemas that refuse unknown properties and out-of-range values", () => {
    const create = validatorFor(operation("/verifications", "post").requestBody!.content["application/json"]!.schema);
    expect(create({ to: "+14155552671", channel: "sms" })).toBe(true);
    expect(create({ to: "a@example.com", channel: "email", locale: "fr", code_length: 10 })).toBe(true);
    expect(create({ to: "+14155552671", channel: "fax" })).toBe(false);
    expect(create({ to: "+14155552671", channel: "sms", code_length: 3 })).toBe(false);
    expect(create({ to: "+14155552671", channel: "sms", code_length: 5 })).toBe(false);
    expect(create({ to: "+14155552671", channel: "sms", code_length: 11 })).toBe(false);
    expect(create({ to: "+14155552671", channel: "sms", locale: "xx" })).toBe(false);
    expect(create({ to: "+14155552671", channel: "sms", extra: 1 })).toBe(false);
    const fallback = validatorFor(operation("/verifications/{id}/fallback", "post").requestBody!.content["application/json"]!.schema);
    expect(fallback({ channel: "voice" })).toBe(true);
    expect(fallback({ channel: "sms" })).toBe(false);
  });

  it("has examples that match their own schemas, and an example for every error code of every operation", () => {
    for (const { path, method } of API_OPERATIONS) {
      const resolved = operation(path, method);
      const body = resolved.requestBody?.content["application/json"];
      if (body) expect(validatorFor(body.schema)(body.example), `${path} request example`).toBe(true);
      for (const [status, response] of Object.entries(resolved.responses)) {
        const media = response.content?.["application/json"];
        if (!media) continue;
        const validate = validatorFor(media.schema);
        const examples = [...(media.example === undefined ? [] : [media.example]), ...Object.values(media.examples ?? {}).map((e) => e.value)];
        if (path !== "/openapi.json") expect(examples.length, `${path} ${status} has examples`).toBeGreaterThan(0);
        for (const example of examples) expect(validate(example), `${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
      const op = API_OPERATIONS.find((o) => o.path === path && o.method === method)!;
      for (const { status, errors } of errorsByStatus(op)) {
        expect(Object.keys(resolved.responses[String(status)]!.content!["application/json"]!.examples!)).toEqual(errors.map((e) => e.code));
      }
    }
  });

  it("ties each error code to one status, and refuses a code under the wrong status", () => {
    const conflict = validatorFor(operation("/verifications/{id}/check", "post").responses["409"]!.content!["application/json"]!.schema);
    expect(conflict({ error: { code: "already_approved", message: "Already approved." } })).toBe(true);
    expect(conflict({ error: { code: "too_many_sends", message: "Too many sends." } })).toBe(false);
    expect(conflict({ error: { code: "already_approved", message: "Already approved.", stack: "at …" } })).toBe(false);
    expect(new Set(Object.values(DOCUMENTED_ERRORS).map((e) => e.status)).size).toBe(13);
  });
});

// ——— Real responses against the document ———

// The domain functions can be made to throw, for the answers no input produces: the 500 (a
// bug) and the 503 (the database unreachable, as postgres.js reports it through drizzle).
const failures = vi.hoisted(() => ({ on: false as false | "bug" | "outage" }));
vi.mock("@/lib/verify-api/verifications", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./verifications")>();
  const failing =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (failures.on === "bug") throw new Error("a bug (test)");
      if (failures.on === "outage") throw new Error("Failed query: select 1", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }) });
      return fn(...args);
    };
  return {
    ...actual,
    createVerification: failing(actual.createVerification),
    getVerification: failing(actual.getVerification),
    checkVerification: failing(actual.checkVerification),
    fallbackVerification: failing(actual.fallbackVerification),
  };
});

/**
 * Runs `request` while the domain throws: a bug must get the documented, bare 500, and an
 * unreachable database the documented 503 with Retry-After; each is logged once.
 */
async function whileFailing(request: () => Promise<Response>, method: Method, template: keyof OpenApiDocument["paths"]) {
  // The route logs the failure with its cause; that is its job, not this test's output.
  const logged = captureLog();
  try {
    failures.on = "bug";
    const bug = await expectDocumented(await request(), method, template);
    expect(bug.error).toEqual({ code: "internal_error", message: DOCUMENTED_ERRORS.internal_error.example.message });
    failures.on = "outage";
    const outage = await request();
    expect(outage.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    const body = await expectDocumented(outage, method, template);
    expect(body.error).toEqual({ code: "service_unavailable", message: DOCUMENTED_ERRORS.service_unavailable.example.message });
    expect(logged.lines()).toHaveLength(2);
  } finally {
    failures.on = false;
    vi.restoreAllMocks();
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
/** "operationId status" of every answer checked, to prove at the end that no documented status is fiction. */
const exercised = new Set<string>();

function headerValue(schema: { type?: string }, raw: string): unknown {
  return schema.type === "integer" ? Number(raw) : raw;
}

/**
 * Checks one real answer against the document: its status is documented for the operation
 * (for a 405, for the path), its body validates against that status's schema, its documented
 * headers are there and valid. Returns the body.
 */
async function expectDocumented(response: Response, method: Method, template: keyof OpenApiDocument["paths"]): Promise<Record<string, unknown>> {
  const pathItem = document.paths[template];
  if (!pathItem) throw new Error(`${template} is not in the document`);
  const documentedMethods = Object.keys(pathItem) as ("get" | "post")[];
  const own = pathItem[method.toLowerCase() as "get" | "post"];
  const label = `${method} ${template} → ${response.status}`;
  if (!own) {
    expect(response.status, `${label}: an undocumented method must get 405`).toBe(405);
    const allowed = documentedMethods.flatMap((m) => (m === "get" ? ["GET", "HEAD"] : [m.toUpperCase()]));
    expect(response.headers.get("allow")?.split(/,\s*/).sort(), `${label}: Allow`).toEqual(allowed.sort());
  }
  const operations = own ? [own] : documentedMethods.map((m) => pathItem[m]!);
  const body = (await response.json()) as Record<string, unknown>;
  for (const op of operations) {
    const resolved = resolve(op) as unknown as Resolved;
    const documented = resolved.responses[String(response.status)];
    expect(documented, `${label} is not documented for ${op.operationId}; body ${JSON.stringify(body)}`).toBeDefined();
    exercised.add(`${op.operationId} ${response.status}`);
    expect(response.headers.get("content-type"), label).toMatch(/^application\/json(;|$)/);
    const validate = validatorFor(documented!.content!["application/json"]!.schema);
    expect(validate(body), `${label}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`).toBe(true);
    for (const [name, header] of Object.entries(documented!.headers ?? {})) {
      const raw = response.headers.get(name);
      if (header.required) expect(raw, `${label}: header ${name}`).not.toBeNull();
      if (raw !== null) expect(validatorFor(header.schema)(headerValue(header.schema as { type?: string }, raw)), `${label}: header ${name}=${raw}`).toBe(true);
    }
  }
  if (template !== "/openapi.json" || response.status !== 200) expect(response.headers.get("cache-control"), label).toBe("no-store");
  return body;
}

const api = (path: string) => `/api/v1${path}`;

describe("real responses of the route handlers", () => {
  let key: string;
  let keyId: string;
  let teamId: string;

  beforeEach(async () => {
    ({ key, keyId, teamId } = await keyedTeam());
    failures.on = false;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const create = (body: unknown, headers?: Record<string, string>) => post(api("/verifications"), body, key, headers);
  const sms = async (to = PHONE) => {
    const body = await expectDocumented(await create({ to, channel: "sms" }), "POST", "/verifications");
    return body as { id: string; to: string; status: string };
  };
  /** A provider that refuses every connection: a port that was free a moment ago. */
  async function breakPhoneProvider() {
    const server = net.createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((done) => server.close(done));
    vi.stubEnv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000");
    vi.stubEnv("TWILIO_AUTH_TOKEN", "test-token");
    vi.stubEnv("TWILIO_FROM_NUMBER", "+15005550006");
    vi.stubEnv("TWILIO_API_BASE_URL", `http://127.0.0.1:${port}`);
  }
  /** A production server with no provider and no outbox reader (lib/messaging/choose-provider.ts). */
  function withoutProviders() {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("TESSERA_DEV_OUTBOX", "");
  }
  /** The key's next request is its 101st this second. */
  async function exhaustKeyLimit() {
    await db()
      .insert(rateLimits)
      .values({ key: `api:key:${keyId}`, count: REQUESTS_PER_KEY_PER_SECOND, resetAt: sql`now() + interval '30 seconds'` })
      .onConflictDoUpdate({ target: rateLimits.key, set: { count: REQUESTS_PER_KEY_PER_SECOND, resetAt: sql`now() + interval '30 seconds'` } });
  }
  async function exhaustDestination(to: string) {
    await db()
      .insert(rateLimits)
      .values({ key: `verify:dest:${teamId}:${to}`, count: SENDS_PER_DESTINATION_PER_HOUR, resetAt: sql`now() + interval '1 hour'` })
      .onConflictDoUpdate({ target: rateLimits.key, set: { count: SENDS_PER_DESTINATION_PER_HOUR } });
  }

  it("POST /verifications: 201 by SMS and email, replayed, and every error it documents", async () => {
    const first = await sms();
    expect(first).toMatchObject({ to: PHONE, status: "pending" });
    const email = await expectDocumented(await create({ to: "Someone@Example.com", channel: "email", locale: "fr", code_length: 8 }), "POST", "/verifications");
    expect(email).toMatchObject({ to: "someone@example.com", channel: "email", locale: "fr" });

    // Idempotency: the replay carries the documented header; another body and a running request are 409s.
    const idem = { "idempotency-key": "order-42" };
    const original = await create({ to: OTHER_PHONE, channel: "sms" }, idem);
    const originalBody = await expectDocumented(original, "POST", "/verifications");
    const replay = await create({ to: OTHER_PHONE, channel: "sms" }, idem);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await expectDocumented(replay, "POST", "/verifications")).toEqual(originalBody);
    expect((await expectDocumented(await create({ to: OTHER_PHONE, channel: "voice" }, idem), "POST", "/verifications")).error).toMatchObject({ code: "idempotency_key_reused" });
    const running = { to: "late@example.com", channel: "email" };
    await db()
      .insert(apiIdempotency)
      .values({ apiKeyId: keyId, key: "still-running", requestHash: requestHash(createVerificationSchema.parse(running)) });
    expect((await expectDocumented(await create(running, { "idempotency-key": "still-running" }), "POST", "/verifications")).error).toMatchObject({
      code: "idempotency_in_progress",
    });

    // 400s: a field, an unknown property, a bad Idempotency-Key, a body that is no JSON.
    expect((await expectDocumented(await create({ to: "4155552671", channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ field: "to" });
    expect((await expectDocumented(await create({ to: PHONE, channel: "sms", extra: true }), "POST", "/verifications")).error).toMatchObject({ field: "extra" });
    expect((await expectDocumented(await create({ to: PHONE, channel: "sms" }, { "idempotency-key": "é" }), "POST", "/verifications")).error).toMatchObject({
      field: "Idempotency-Key",
    });
    const broken = await call("POST", api("/verifications"), { key, body: "{not json", headers: { "content-type": "application/json" } });
    expect((await expectDocumented(broken, "POST", "/verifications")).error).toMatchObject({ code: "invalid_json" });

    await expectDocumented(await post(api("/verifications"), { to: PHONE, channel: "sms" }, null), "POST", "/verifications");
    await expectDocumented(await post(api("/verifications"), { to: PHONE, channel: "sms" }, "tsk_live_" + "x".repeat(32)), "POST", "/verifications");
    await expectDocumented(await call("GET", api("/verifications"), { key }), "GET", "/verifications");
    await expectDocumented(await call("DELETE", api("/verifications"), { key }), "DELETE", "/verifications");
    const huge = JSON.stringify({ to: PHONE, channel: "sms", pad: "x".repeat(17 * 1024) });
    await expectDocumented(await call("POST", api("/verifications"), { key, body: huge, headers: { "content-type": "application/json" } }), "POST", "/verifications");
    await expectDocumented(await call("POST", api("/verifications"), { key, body: "to=x", headers: { "content-type": "application/x-www-form-urlencoded" } }), "POST", "/verifications");

    await exhaustDestination("busy@example.com");
    const limited = await create({ to: "busy@example.com", channel: "email" });
    expect((await expectDocumented(limited, "POST", "/verifications")).error).toMatchObject({ code: "rate_limited" });

    await setBalance(teamId, 0);
    expect((await expectDocumented(await create({ to: PHONE, channel: "voice" }), "POST", "/verifications")).error).toMatchObject({ code: "insufficient_credits" });
    await setBalance(teamId, 10);

    // 403s: the fraud controls (lib/fraud).
    expect((await expectDocumented(await create({ to: "+5511987654321", channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "country_not_allowed", field: "to" });
    expect((await expectDocumented(await create({ to: "+19005550100", channel: "voice" }), "POST", "/verifications")).error).toMatchObject({ code: "line_type_not_allowed", field: "to" });
    await db().update(teams).set({ smsPausedAt: sql`now()`, smsPauseReason: "A test pause." }).where(eq(teams.id, teamId));
    expect((await expectDocumented(await create({ to: PHONE, channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "sms_paused" });
    await db().update(teams).set({ smsPausedAt: null, smsPauseReason: null }).where(eq(teams.id, teamId));
    vi.stubEnv("TESSERA_SMS_PER_TEAM_PER_MINUTE", "1");
    expect((await expectDocumented(await create({ to: "+33612345600", channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "rate_limited" });
    vi.unstubAllEnvs();

    await breakPhoneProvider();
    expect((await expectDocumented(await create({ to: "+447400123456", channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "delivery_failed" });
    vi.unstubAllEnvs();
    withoutProviders();
    expect((await expectDocumented(await create({ to: PHONE, channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "channel_not_configured" });
    vi.unstubAllEnvs();
    await whileFailing(() => create({ to: PHONE, channel: "sms" }), "POST", "/verifications");

    await exhaustKeyLimit();
    expect((await expectDocumented(await create({ to: PHONE, channel: "sms" }), "POST", "/verifications")).error).toMatchObject({ code: "rate_limited" });
  });

  it("GET /verifications/{id}: 200, and 401, 404, 405, 429, 500", async () => {
    const { id } = await sms();
    expect(await expectDocumented(await get(api(`/verifications/${id}`), key), "GET", "/verifications/{id}")).toMatchObject({ id, status: "pending" });
    await expectDocumented(await get(api(`/verifications/${id}`), null), "GET", "/verifications/{id}");
    await expectDocumented(await get(api(`/verifications/${randomUUID()}`), key), "GET", "/verifications/{id}");
    await expectDocumented(await get(api("/verifications/not-a-uuid"), key), "GET", "/verifications/{id}");
    const other = await keyedTeam("Other");
    await expectDocumented(await get(api(`/verifications/${id}`), other.key), "GET", "/verifications/{id}");
    await expectDocumented(await call("POST", api(`/verifications/${id}`), { key, body: {} }), "POST", "/verifications/{id}");
    await whileFailing(() => get(api(`/verifications/${id}`), key), "GET", "/verifications/{id}");
    await exhaustKeyLimit();
    await expectDocumented(await get(api(`/verifications/${id}`), key), "GET", "/verifications/{id}");
  });

  it("POST /verifications/{id}/check: wrong, right, failed, already approved, and every error it documents", async () => {
    const check = (id: string, body: unknown, k: string | null = key) => post(api(`/verifications/${id}/check`), body, k);
    const T = "/verifications/{id}/check" as const;
    const { id } = await sms();
    const code = await lastCodeTo(PHONE);
    const wrong = code === "000000" ? "111111" : "000000";
    expect(await expectDocumented(await check(id, { code: wrong }), "POST", T)).toMatchObject({ status: "pending", attempts_left: 4 });
    expect(await expectDocumented(await check(id, { code }), "POST", T)).toMatchObject({ status: "approved" });
    expect((await expectDocumented(await check(id, { code }), "POST", T)).error).toMatchObject({ code: "already_approved" });

    const other = await sms(OTHER_PHONE);
    for (let i = 0; i < 5; i++) await expectDocumented(await check(other.id, { code: "12" }), "POST", T);
    expect(await expectDocumented(await get(api(`/verifications/${other.id}`), key), "GET", "/verifications/{id}")).toMatchObject({ status: "failed", attempts_left: 0 });

    await expectDocumented(await check(id, { code: 123456 }), "POST", T);
    await expectDocumented(await check(id, {}), "POST", T);
    await expectDocumented(await call("POST", api(`/verifications/${id}/check`), { key, body: "[", headers: { "content-type": "application/json" } }), "POST", T);
    await expectDocumented(await check(id, { code }, null), "POST", T);
    await expectDocumented(await check(randomUUID(), { code }), "POST", T);
    await expectDocumented(await call("GET", api(`/verifications/${id}/check`), { key }), "GET", T);
    await expectDocumented(
      await call("POST", api(`/verifications/${id}/check`), { key, body: JSON.stringify({ code: "1".repeat(17 * 1024) }), headers: { "content-type": "application/json" } }),
      "POST",
      T,
    );
    await expectDocumented(await call("POST", api(`/verifications/${id}/check`), { key, body: "code=1", headers: { "content-type": "text/plain" } }), "POST", T);
    await whileFailing(() => check(id, { code }), "POST", T);
    await exhaustKeyLimit();
    await expectDocumented(await check(id, { code }), "POST", T);
  });

  it("POST /verifications/{id}/fallback: a voice call, and every error it documents", async () => {
    const fallback = (id: string, body: unknown = { channel: "voice" }, k: string | null = key) => post(api(`/verifications/${id}/fallback`), body, k);
    const T = "/verifications/{id}/fallback" as const;
    const { id } = await sms();
    expect(await expectDocumented(await fallback(id), "POST", T)).toMatchObject({ id, channel: "voice", status: "pending" });
    await expectDocumented(await fallback(id), "POST", T);
    expect((await expectDocumented(await fallback(id), "POST", T)).error).toMatchObject({ code: "too_many_sends" });

    const email = (await expectDocumented(await create({ to: "someone@example.com", channel: "email" }), "POST", "/verifications")) as { id: string };
    expect((await expectDocumented(await fallback(email.id), "POST", T)).error).toMatchObject({ code: "fallback_unavailable" });

    const done = await sms(OTHER_PHONE);
    await expectDocumented(await post(api(`/verifications/${done.id}/check`), { code: await lastCodeTo(OTHER_PHONE) }, key), "POST", "/verifications/{id}/check");
    expect((await expectDocumented(await fallback(done.id), "POST", T)).error).toMatchObject({ code: "verification_not_pending" });

    const fresh = await sms("+447400123456");
    await setBalance(teamId, 0);
    expect((await expectDocumented(await fallback(fresh.id), "POST", T)).error).toMatchObject({ code: "insufficient_credits" });
    await setBalance(teamId, 10);
    await db().update(teams).set({ smsPausedAt: sql`now()`, smsPauseReason: "A test pause." }).where(eq(teams.id, teamId));
    expect((await expectDocumented(await fallback(fresh.id), "POST", T)).error).toMatchObject({ code: "sms_paused" });
    await db().update(teams).set({ smsPausedAt: null, smsPauseReason: null }).where(eq(teams.id, teamId));
    await breakPhoneProvider();
    expect((await expectDocumented(await fallback(fresh.id), "POST", T)).error).toMatchObject({ code: "delivery_failed" });
    vi.unstubAllEnvs();
    withoutProviders();
    expect((await expectDocumented(await fallback(fresh.id), "POST", T)).error).toMatchObject({ code: "channel_not_configured" });
    vi.unstubAllEnvs();
    await exhaustDestination(fresh.to);
    expect((await expectDocumented(await fallback(fresh.id), "POST", T)).error).toMatchObject({ code: "rate_limited" });

    await expectDocumented(await fallback(fresh.id, { channel: "sms" }), "POST", T);
    await expectDocumented(await call("POST", api(`/verifications/${fresh.id}/fallback`), { key, body: "{", headers: { "content-type": "application/json" } }), "POST", T);
    await expectDocumented(await fallback(fresh.id, { channel: "voice" }, null), "POST", T);
    await expectDocumented(await fallback(randomUUID()), "POST", T);
    await expectDocumented(await call("PUT", api(`/verifications/${fresh.id}/fallback`), { key, body: {} }), "PUT", T);
    await expectDocumented(
      await call("POST", api(`/verifications/${fresh.id}/fallback`), { key, body: JSON.stringify({ channel: "voice", pad: "x".repeat(17 * 1024) }), headers: { "content-type": "application/json" } }),
      "POST",
      T,
    );
    await expectDocumented(await call("POST", api(`/verifications/${fresh.id}/fallback`), { key, body: "voice", headers: { "content-type": "text/plain" } }), "POST", T);
    await whileFailing(() => fallback(fresh.id), "POST", T);
    await exhaustKeyLimit();
    await expectDocumented(await fallback(fresh.id), "POST", T);
  });

  it("GET /openapi.json: the document itself, public and cacheable; other methods 405", async () => {
    vi.stubEnv("NEXTAUTH_URL", "https://verify.example.org");
    const response = openApiRoute.GET();
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const served = await expectDocumented(response, "GET", "/openapi.json");
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument(new URL("https://verify.example.org")))));
    expect(await new Validator().validate(served)).toMatchObject({ valid: true });
    await expectDocumented(openApiRoute.POST(), "POST", "/openapi.json");
  });

  it("an unknown path under /api/v1 answers in the documented error shape", async () => {
    const response = await get(api("/verification"), key);
    expect(response.status).toBe(404);
    const validate = validatorFor(document.components.schemas.Error!);
    expect(validate(await response.json()), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("exercised every status the document promises, for every operation", () => {
    const promised = API_OPERATIONS.flatMap((op) => [op.success.status, ...errorsByStatus(op).map((e) => e.status)].map((status) => `${op.id} ${status}`));
    expect(promised.filter((entry) => !exercised.has(entry))).toEqual([]);
  });
});
