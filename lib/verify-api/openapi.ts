import { config } from "@/lib/config";
import { RANGE_BURST_PER_HOUR } from "@/lib/fraud/velocity";
import type { GuardRefusal } from "@/lib/fraud/guard";
import { API_ERRORS, guardFailure, RATE_LIMIT_MESSAGES, type ApiErrorKey } from "./errors";
import { MAX_BODY_BYTES, REQUESTS_PER_KEY_PER_SECOND } from "./http";
import { IDEMPOTENCY_TTL_HOURS } from "./idempotency";
import { LOCALES } from "./messages";
import { DEFAULT_CODE_LENGTH, FIELD_MESSAGES, MAX_CODE_LENGTH, MIN_CODE_LENGTH } from "./schemas";
import { CODE_TTL_SECONDS, MAX_CHECKS, MAX_SENDS, SENDS_PER_DESTINATION_PER_HOUR, SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS } from "./verifications";

/**
 * The Verify API described once: the OpenAPI 3.1 document served at /api/v1/openapi.json and
 * the /docs/api page are both built from the tables below, so the two cannot disagree, and
 * openapi.test.ts checks real responses of the route handlers against the document.
 */

export const API_CHANNELS = ["sms", "voice", "email"] as const;
export const VERIFICATION_STATUSES = ["pending", "approved", "expired", "failed", "canceled"] as const;
export const CODE_TTL_MINUTES = CODE_TTL_SECONDS / 60;
export const MAX_BODY_KIB = MAX_BODY_BYTES / 1024;
export { MAX_CHECKS, MAX_SENDS, REQUESTS_PER_KEY_PER_SECOND, SENDS_PER_DESTINATION_PER_HOUR, SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS };

// ——— Types: the subset of OpenAPI 3.1 this document uses ———

/** A JSON Schema 2020-12 object (OpenAPI 3.1's schema dialect). */
export type JsonSchema = { [keyword: string]: unknown };
export type Ref = { $ref: string };
export type HeaderObject = { description: string; required?: boolean; schema: JsonSchema; example?: unknown };
export type MediaTypeObject = { schema: JsonSchema; example?: unknown; examples?: Record<string, { summary: string; value: unknown }> };
export type ResponseObject = { description: string; headers?: Record<string, HeaderObject | Ref>; content?: Record<string, MediaTypeObject> };
export type ParameterObject = { name: string; in: "path" | "header"; required: boolean; description: string; schema: JsonSchema; example?: unknown };
export type OperationObject = {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security?: Record<string, string[]>[];
  parameters?: (ParameterObject | Ref)[];
  requestBody?: { required: boolean; content: Record<string, MediaTypeObject> };
  responses: Record<string, ResponseObject | Ref>;
};
export type HttpMethod = "get" | "post";
export type OpenApiDocument = {
  openapi: "3.1.0";
  jsonSchemaDialect: string;
  info: { title: string; version: string; summary: string; description: string };
  servers: { url: string; description: string }[];
  security: Record<string, string[]>[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<HttpMethod, OperationObject>>>;
  components: {
    securitySchemes: Record<string, { type: "http"; scheme: "bearer"; bearerFormat: string; description: string }>;
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    headers: Record<string, HeaderObject>;
  };
};

// ——— Errors: every code the API answers with ———

/** The codes clients see (`route_not_found` answers as `not_found`). */
export type ApiErrorCode = Exclude<ApiErrorKey, "route_not_found">;

type ErrorInfo = { status: number; when: string; example: { message: string; field?: string } };

/** When each code happens, in a developer's words; statuses and messages come from errors.ts, the table the routes answer from. */
const WHEN: Record<ApiErrorCode, string> = {
  invalid_request: "A field or the Idempotency-Key header is missing or invalid; `field` names it.",
  invalid_json: "The body is not valid JSON.",
  unauthorized: "The API key is missing, malformed, unknown or revoked (the same answer for each).",
  insufficient_credits: "The team has no SMS credits left (SMS and voice only); nothing was sent.",
  country_not_allowed: "SMS and voice only: the number's country is not on the team's list (Team → SMS & voice), or the number belongs to no country (+800, +881 satellite, +882/+883); `field` is `to`. Nothing was sent or charged.",
  line_type_not_allowed:
    "SMS and voice only: the number is premium-rate, shared-cost, toll-free, a personal forwarding number, a UAN, voicemail or a pager (never sent to); a landline for `sms` (use `voice`); or VoIP while the team turned VoIP off for the API. `field` is `to`. Nothing was sent or charged.",
  sms_paused: `SMS and voice only: the team's SMS and voice are paused because more than ${RANGE_BURST_PER_HOUR} codes went to one block of 1,000 numbers within an hour (SMS pumping); an owner resumes them under Team → SMS & voice. Email still works.`,
  not_found: "No verification of this team has that id (unknown, malformed, or another team's), or the path is no endpoint of the API.",
  method_not_allowed: "The path exists, but not for this method; `Allow` lists the methods it has.",
  already_approved: "The verification was already approved: a code is good for one check only.",
  verification_not_pending: "The verification is no longer pending (approved, expired, failed or canceled).",
  fallback_unavailable: "The verification went to an email address; only phone numbers can get a call.",
  too_many_sends: `The verification was already sent ${MAX_SENDS} times.`,
  idempotency_key_reused: `The Idempotency-Key was used in the last ${IDEMPOTENCY_TTL_HOURS} hours with a different body.`,
  idempotency_in_progress: "A request with this Idempotency-Key is still running.",
  payload_too_large: `The body is over ${MAX_BODY_KIB} KiB.`,
  unsupported_media_type: "The Content-Type is not application/json.",
  rate_limited: `Over ${REQUESTS_PER_KEY_PER_SECOND} requests a second with this key; wait \`Retry-After\` seconds.`,
  internal_error: "Something failed on our side; it is logged. Retry later.",
  delivery_failed: "The SMS, voice or email provider failed or timed out; no credit was spent.",
  channel_not_configured:
    "The server has no provider for the channel (in production, no Resend for email or no Twilio for SMS and voice): nothing was sent, stored or charged, and no limit counted. Not transient, so no `Retry-After`: use another channel, or ask the operator.",
  service_unavailable: "The server cannot reach its database (down, restarting, or too slow to answer within its statement timeout); wait `Retry-After` seconds and retry.",
};

/** Where the general message of errors.ts is not what clients get, the one they do. */
const EXAMPLES: Partial<Record<ApiErrorCode, ErrorInfo["example"]>> = {
  invalid_request: { message: FIELD_MESSAGES.phone, field: "to" },
  country_not_allowed: guardExample({ code: "COUNTRY_NOT_ALLOWED", country: "BR" }),
  line_type_not_allowed: guardExample({ code: "LINE_TYPE_NOT_ALLOWED", lineType: "PREMIUM_RATE", rule: "never" }),
  rate_limited: { message: RATE_LIMIT_MESSAGES.key },
};

/** Every code clients see, as the document and the docs page tell it: its status, when it happens, an example body. */
export const DOCUMENTED_ERRORS = Object.fromEntries(
  (Object.keys(WHEN) as ApiErrorCode[]).map((code) => [code, { status: API_ERRORS[code].status, when: WHEN[code], example: EXAMPLES[code] ?? { message: API_ERRORS[code].message } }]),
) as Record<ApiErrorCode, ErrorInfo>;

function guardExample(refusal: GuardRefusal): ErrorInfo["example"] {
  const answer = guardFailure(refusal);
  return { message: answer.message!, ...(answer.field ? { field: answer.field } : {}) };
}

/**
 * The fraud controls' limits on SMS and voice, in one sentence for the document and the
 * docs page. A function: the operator sets them in the environment (lib/config.ts).
 */
export function phoneLimitsSentence(): string {
  const { perMinute, perDay, perCountryPerHour } = config.smsVelocity;
  return `SMS and voice codes from one team: at most ${perMinute} a minute, ${perDay} a day and ${perCountryPerHour} an hour to one country, and ${RANGE_BURST_PER_HOUR} an hour to one block of 1,000 numbers (going over that pauses the team's SMS and voice until an owner resumes them); this server sends at most ${config.maxSmsPerDay} a day, all teams together.`;
}

const GUARDED: OperationError[] = [{ code: "country_not_allowed" }, { code: "line_type_not_allowed" }, { code: "sms_paused" }];

/** An error an operation can answer with; `when` replaces the general description where the operation adds detail. */
type OperationError = { code: ApiErrorCode; when?: string };

const UNKNOWN_ID: OperationError = { code: "not_found", when: "No verification of this team has that id (unknown, malformed, or another team's)." };

const DESTINATION_LIMIT = `Over ${REQUESTS_PER_KEY_PER_SECOND} requests a second with this key, over ${SENDS_PER_DESTINATION_PER_HOUR} sends an hour to this destination from your team (${SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS} from all teams), or, for SMS and voice, over the team's or the server's velocity limits (the message names which); wait \`Retry-After\` seconds.`;

// ——— Schemas ———

const E164 = "^\\+[1-9][0-9]{6,14}$";
const EXAMPLE_ID = "0b6f2a4e-8d3c-4f7a-9c1e-2a5b7d9e1f30";

export const EXAMPLE_VERIFICATION = {
  id: EXAMPLE_ID,
  to: "+14155552671",
  channel: "sms",
  status: "pending",
  locale: "en",
  created_at: "2026-01-15T09:30:00.000Z",
  expires_at: "2026-01-15T09:40:00.000Z",
  attempts_left: MAX_CHECKS,
} as const;

/** The document's component schemas, also what the docs page's field tables are drawn from. */
export const API_SCHEMAS = {
  Verification: {
    type: "object",
    description: "A one-time code sent to one destination, and where it stands. Never contains the code.",
    additionalProperties: false,
    required: ["id", "to", "channel", "status", "locale", "created_at", "expires_at", "attempts_left"],
    properties: {
      id: { type: "string", format: "uuid", description: "The verification's id, for checking it later." },
      to: {
        type: "string",
        description: "Where the code went: a phone number in E.164, or an email address in lower case.",
        anyOf: [
          { type: "string", pattern: E164 },
          { type: "string", format: "email" },
        ],
      },
      channel: { type: "string", enum: API_CHANNELS, description: "How the code went out last (a fallback changes it to `voice`)." },
      status: {
        type: "string",
        enum: VERIFICATION_STATUSES,
        description:
          "`pending`: waiting for the right code. `approved`: the right code was checked (final). `expired`: 10 minutes passed. `failed`: 5 wrong codes. `canceled`: a newer verification to the same destination replaced it.",
      },
      locale: { type: "string", enum: LOCALES, description: "The language of the message." },
      created_at: { type: "string", format: "date-time", description: "When the verification was created." },
      expires_at: { type: "string", format: "date-time", description: "After this the code no longer works." },
      attempts_left: { type: "integer", minimum: 0, maximum: MAX_CHECKS, description: "Checks left before the verification fails." },
    },
    examples: [EXAMPLE_VERIFICATION],
  },
  Error: {
    type: "object",
    description: "Every error has this shape; `code` is stable, `message` is a sentence for the developer.",
    additionalProperties: false,
    required: ["error"],
    properties: {
      error: {
        type: "object",
        additionalProperties: false,
        required: ["code", "message"],
        properties: {
          code: { type: "string", enum: Object.keys(DOCUMENTED_ERRORS) },
          message: { type: "string", minLength: 1 },
          field: { type: "string", description: "The request field at fault (validation errors only)." },
        },
      },
    },
  },
  CreateVerificationRequest: {
    type: "object",
    additionalProperties: false,
    required: ["to", "channel"],
    properties: {
      to: {
        type: "string",
        minLength: 1,
        description: "For `sms` and `voice`, a phone number with its country code (E.164, the `+` is required); for `email`, an email address.",
        examples: ["+14155552671", "someone@example.com"],
      },
      channel: { type: "string", enum: API_CHANNELS, description: "`sms` and `voice` cost 1 credit each; `email` is free." },
      locale: { type: "string", enum: LOCALES, default: "en", description: "The language of the message." },
      code_length: {
        type: "integer",
        minimum: MIN_CODE_LENGTH,
        maximum: MAX_CODE_LENGTH,
        default: DEFAULT_CODE_LENGTH,
        description: `How many digits the code has. At least ${MIN_CODE_LENGTH} (20 bits, NIST SP 800-63B §5.1.3.2): 4 and 5 are refused with \`invalid_request\` on \`code_length\`.`,
      },
    },
  },
  CheckVerificationRequest: {
    type: "object",
    additionalProperties: false,
    required: ["code"],
    properties: {
      code: {
        type: "string",
        description: "The code the person typed. A code of the wrong length or with other characters is simply a wrong code.",
        examples: ["482913"],
      },
    },
  },
  FallbackRequest: {
    type: "object",
    additionalProperties: false,
    required: ["channel"],
    properties: { channel: { type: "string", const: "voice", description: "The only fallback: a voice call that reads the new code." } },
  },
} satisfies Record<string, JsonSchema>;

export type SchemaName = keyof typeof API_SCHEMAS;

const headers = {
  "Retry-After": { description: "Seconds to wait before retrying.", required: true, schema: { type: "integer", minimum: 1 }, example: 1 },
  /** A 503 that may also be `channel_not_configured`, where waiting does not help and no Retry-After is sent. */
  "Retry-After-when-transient": {
    description: "Seconds to wait before retrying: sent with `service_unavailable`, never with `channel_not_configured` (retrying will not help).",
    required: false,
    schema: { type: "integer", minimum: 1 },
    example: 1,
  },
  "WWW-Authenticate": { description: "Always `Bearer`.", required: true, schema: { type: "string", pattern: "^Bearer" }, example: "Bearer" },
  Allow: { description: "The methods this path accepts.", required: true, schema: { type: "string", minLength: 1 }, example: "POST" },
  "Idempotent-Replayed": {
    description: "`true` when this is the stored answer to an earlier request with the same Idempotency-Key: nothing was sent again.",
    required: false,
    schema: { type: "string", const: "true" },
    example: "true",
  },
} satisfies Record<string, HeaderObject>;

const HEADERS_BY_STATUS: Partial<Record<number, ("Retry-After" | "WWW-Authenticate" | "Allow")[]>> = { 401: ["WWW-Authenticate"], 405: ["Allow"], 429: ["Retry-After"], 503: ["Retry-After"] };

// ——— Operations ———

export type ApiOperation = {
  id: string;
  method: HttpMethod;
  /** Relative to the server URL (…/api/v1). */
  path: string;
  summary: string;
  description: string;
  /** The Bearer key; only the document itself is public. */
  authenticated: boolean;
  /** Takes an Idempotency-Key; `replayed` lists the statuses a retry can get back stored (with Idempotent-Replayed). */
  idempotency?: { replayed: number[] };
  request?: { schema: SchemaName; example: Record<string, unknown> };
  success: { status: number; description: string; example: unknown };
  errors: OperationError[];
};

const COMMON_AUTH: OperationError[] = [{ code: "unauthorized" }, { code: "method_not_allowed" }];
const COMMON_BODY: OperationError[] = [{ code: "payload_too_large" }, { code: "unsupported_media_type" }, { code: "invalid_json" }];

export const API_OPERATIONS: ApiOperation[] = [
  {
    id: "createVerification",
    method: "post",
    path: "/verifications",
    summary: "Send a code",
    description: `Sends a new one-time code to a phone number (SMS or voice call) or an email address. The code expires in ${CODE_TTL_MINUTES} minutes and can be checked ${MAX_CHECKS} times. A pending verification of your team to the same destination is canceled once the new message is out (its code stops working).`,
    authenticated: true,
    idempotency: { replayed: [201, 402, 403] },
    request: { schema: "CreateVerificationRequest", example: { to: "+14155552671", channel: "sms" } },
    success: { status: 201, description: "The code was sent.", example: EXAMPLE_VERIFICATION },
    errors: [
      ...COMMON_AUTH,
      ...COMMON_BODY,
      { code: "invalid_request", when: "A field is missing or invalid, or the body has a property not listed here; `field` names it." },
      { code: "idempotency_key_reused" },
      { code: "idempotency_in_progress" },
      { code: "insufficient_credits" },
      ...GUARDED,
      { code: "rate_limited", when: DESTINATION_LIMIT },
      { code: "delivery_failed", when: "The provider failed or timed out: no credit was spent, no verification was created, and an earlier one to the same destination still works." },
      { code: "channel_not_configured" },
      { code: "internal_error" },
      { code: "service_unavailable" },
    ],
  },
  {
    id: "getVerification",
    method: "get",
    path: "/verifications/{id}",
    summary: "Read a verification",
    description: "The verification's current state. Never the code.",
    authenticated: true,
    success: { status: 200, description: "The verification.", example: EXAMPLE_VERIFICATION },
    errors: [...COMMON_AUTH, UNKNOWN_ID, { code: "rate_limited" }, { code: "internal_error" }, { code: "service_unavailable" }],
  },
  {
    id: "checkVerification",
    method: "post",
    path: "/verifications/{id}/check",
    summary: "Check a code",
    description: `Checks the code the person typed. The right code approves the verification (once: a second check of an approved verification is a 409, never a success). A wrong code leaves it \`pending\` with one attempt fewer, or \`failed\` after the ${MAX_CHECKS}th. An expired, failed or canceled verification is returned as it is, with status 200.`,
    authenticated: true,
    request: { schema: "CheckVerificationRequest", example: { code: "482913" } },
    success: {
      status: 200,
      description: "The verification after the check: look at `status` (`approved` means the code was right).",
      example: { ...EXAMPLE_VERIFICATION, status: "approved", attempts_left: MAX_CHECKS - 1 },
    },
    errors: [
      ...COMMON_AUTH,
      ...COMMON_BODY,
      { code: "invalid_request", when: "`code` is missing or not a string, or the body has another property." },
      UNKNOWN_ID,
      { code: "already_approved" },
      { code: "rate_limited" },
      { code: "internal_error" },
      { code: "service_unavailable" },
    ],
  },
  {
    id: "fallbackVerification",
    method: "post",
    path: "/verifications/{id}/fallback",
    summary: "Call instead",
    description: `For "I didn't get the message": resends a pending verification to the same phone number as a voice call that reads a new code (the previous code stops working). Checks already made still count, the expiry restarts at ${CODE_TTL_MINUTES} minutes, and \`channel\` becomes \`voice\`. Costs 1 credit. A verification is sent at most ${MAX_SENDS} times.`,
    authenticated: true,
    request: { schema: "FallbackRequest", example: { channel: "voice" } },
    success: { status: 200, description: "The call was placed.", example: { ...EXAMPLE_VERIFICATION, channel: "voice" } },
    errors: [
      ...COMMON_AUTH,
      ...COMMON_BODY,
      { code: "invalid_request", when: "`channel` is missing or not `voice`, or the body has another property; `field` names it." },
      UNKNOWN_ID,
      { code: "fallback_unavailable" },
      { code: "verification_not_pending" },
      { code: "too_many_sends" },
      { code: "insufficient_credits", when: "The team has no SMS credits left; nothing was sent." },
      ...GUARDED,
      { code: "rate_limited", when: DESTINATION_LIMIT },
      { code: "delivery_failed", when: "The provider failed or timed out: no credit was spent and the previous code still works." },
      { code: "channel_not_configured", when: "The server has no SMS and voice provider: no call was placed, nothing was charged, and the previous code still works." },
      { code: "internal_error" },
      { code: "service_unavailable" },
    ],
  },
  {
    id: "getOpenApiDocument",
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    description: "The OpenAPI 3.1 document of this API. No API key needed.",
    authenticated: false,
    success: { status: 200, description: "The OpenAPI document.", example: undefined },
    errors: [{ code: "method_not_allowed" }],
  },
];

/** An operation's error answers grouped by HTTP status, in status order: one OpenAPI response each. */
export function errorsByStatus(operation: ApiOperation): { status: number; errors: { code: ApiErrorCode; when: string }[] }[] {
  const groups = new Map<number, { code: ApiErrorCode; when: string }[]>();
  for (const { code, when } of operation.errors) {
    const { status } = DOCUMENTED_ERRORS[code];
    groups.set(status, [...(groups.get(status) ?? []), { code, when: when ?? DOCUMENTED_ERRORS[code].when }]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([status, errors]) => ({ status, errors }));
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  402: "Payment required",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  429: "Too many requests",
  500: "Internal error",
  502: "Bad gateway",
  503: "Service unavailable",
};

const ref = (kind: "schemas" | "parameters" | "headers", name: string): Ref => ({ $ref: `#/components/${kind}/${name}` });
const json = (media: MediaTypeObject) => ({ "application/json": media });

function replayHeader(operation: ApiOperation, status: number): "Idempotent-Replayed"[] {
  return operation.idempotency?.replayed.includes(status) ? ["Idempotent-Replayed"] : [];
}

function headerComponent(name: keyof typeof headers, codes: ApiErrorCode[]): keyof typeof headers {
  return name === "Retry-After" && codes.includes("channel_not_configured") ? "Retry-After-when-transient" : name;
}

function errorResponse(operation: ApiOperation, status: number, errors: { code: ApiErrorCode; when: string }[]): ResponseObject {
  const codes = errors.map((e) => e.code);
  const headerNames = [...(HEADERS_BY_STATUS[status] ?? []), ...replayHeader(operation, status)];
  return {
    description: `${STATUS_TEXT[status] ?? "Error"}. ${errors.map((e) => `\`${e.code}\`: ${e.when}`).join(" ")}`,
    ...(headerNames.length ? { headers: Object.fromEntries(headerNames.map((name) => [name, ref("headers", headerComponent(name, codes))])) } : {}),
    content: json({
      schema: {
        // Narrows `code` to this status's codes, so a code answered under the wrong status fails validation.
        allOf: [
          ref("schemas", "Error"),
          { type: "object", properties: { error: { type: "object", properties: { code: codes.length === 1 ? { const: codes[0] } : { enum: codes } } } } },
        ],
      },
      examples: Object.fromEntries(errors.map(({ code }) => [code, { summary: DOCUMENTED_ERRORS[code].when, value: { error: { code, ...DOCUMENTED_ERRORS[code].example } } }])),
    }),
  };
}

function operationObject(operation: ApiOperation): OperationObject {
  const parameters: (ParameterObject | Ref)[] = [];
  if (operation.path.includes("{id}")) parameters.push(ref("parameters", "VerificationId"));
  if (operation.idempotency) parameters.push(ref("parameters", "IdempotencyKey"));
  const success: ResponseObject =
    operation.id === "getOpenApiDocument"
      ? { description: operation.success.description, content: json({
            schema: {
              type: "object",
              required: ["openapi", "info", "paths"],
              properties: { openapi: { type: "string", pattern: "^3\\.1\\." }, info: { type: "object" }, paths: { type: "object" } },
            },
          }),
        }
      : {
          description: operation.success.description,
          ...(replayHeader(operation, operation.success.status).length ? { headers: { "Idempotent-Replayed": ref("headers", "Idempotent-Replayed") } } : {}),
          content: json({ schema: ref("schemas", "Verification"), example: operation.success.example }),
        };
  return {
    operationId: operation.id,
    summary: operation.summary,
    description: operation.description,
    tags: [operation.authenticated ? "Verifications" : "Meta"],
    ...(operation.authenticated ? {} : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.request
      ? { requestBody: { required: true, content: json({ schema: ref("schemas", operation.request.schema), example: operation.request.example }) } }
      : {}),
    responses: {
      [String(operation.success.status)]: success,
      ...Object.fromEntries(errorsByStatus(operation).map(({ status, errors }) => [String(status), errorResponse(operation, status, errors)])),
    },
  };
}

/** The server URL every path is relative to: the app's public URL plus /api/v1. */
export function apiBaseUrl(appUrl: URL = config.appUrl): string {
  return new URL("/api/v1", appUrl).toString();
}

/** The OpenAPI 3.1 document of the Verify API, for the server at `appUrl`. */
export function openApiDocument(appUrl: URL = config.appUrl): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const operation of API_OPERATIONS) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Tessera Verify API",
      version: "1",
      summary: "Send one-time codes by SMS, voice call or email, and check them.",
      description: [
        "Your backend asks Tessera to send a one-time code to your user, then asks it to check the code they typed.",
        "",
        "Every request but this document's needs `Authorization: Bearer tsk_live_…` (create keys in Team → Developers). Bodies are JSON (`Content-Type: application/json`, at most 16 KiB); every answer is JSON with `Cache-Control: no-store`.",
        "",
        `Limits: ${REQUESTS_PER_KEY_PER_SECOND} requests a second per key; ${SENDS_PER_DESTINATION_PER_HOUR} sends an hour per destination from one team and ${SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS} from all teams (aliases such as \`name+tag@\` count as one address); ${MAX_CHECKS} checks per verification; ${MAX_SENDS} sends per verification. ${phoneLimitsSentence()} A 429 carries \`Retry-After\`.`,
        "",
        "SMS and voice codes go only to the countries the key's team allows (Team → SMS & voice; a new team starts with North America, much of Western Europe, Australia and New Zealand), never to premium-rate, shared-cost, toll-free, personal forwarding, UAN, voicemail or pager numbers, and not by SMS to a landline.",
        "",
        "SMS and voice calls cost 1 credit each from the key's team; email is free. A failed delivery costs nothing.",
      ].join("\n"),
    },
    servers: [{ url: apiBaseUrl(appUrl), description: "This Tessera server" }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: "Verifications", description: "Send and check one-time codes." },
      { name: "Meta", description: "About the API itself." },
    ],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "tsk_live_…",
          description: "An API key of your team: `tsk_live_` and 32 more characters. Create and revoke keys in Team → Developers.",
        },
      },
      schemas: API_SCHEMAS,
      parameters: {
        VerificationId: {
          name: "id",
          in: "path",
          required: true,
          description: "The verification's id, as returned when it was created.",
          schema: { type: "string", format: "uuid" },
          example: EXAMPLE_ID,
        },
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            `Any unique string (1–255 printable ASCII characters), such as a UUID. A retry with the same key and the same body within ${IDEMPOTENCY_TTL_HOURS} hours returns the first answer (with \`Idempotent-Replayed: true\`) and sends nothing. 429 and 5xx answers are not stored, so those can be retried with the same key.`,
          schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7E]+$" },
          example: "signup-7f3c2a91",
        },
      },
      headers,
    },
  };
}
