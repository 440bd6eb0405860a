import type { z } from "zod";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/db/unavailable";
import { readBody } from "@/lib/http/read-body";
import { log } from "@/lib/log";
import { rateLimit } from "@/lib/rate-limit";
import { API_ERRORS, publicCode, RATE_LIMIT_MESSAGES, type ApiErrorKey, type ApiFailure } from "./errors";
import { IDEMPOTENCY_KEY_MESSAGE, isValidIdempotencyKey, requestHash, withIdempotency } from "./idempotency";
import { authenticateApiKey, type ApiKeyPrincipal } from "./keys";
import type { VerificationObject } from "./verifications";

export const MAX_BODY_BYTES = 16 * 1024;
export const REQUESTS_PER_KEY_PER_SECOND = 100;

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

type ErrorBody = { error: { code: string; message: string; field?: string } };

function errorBody(key: ApiErrorKey, extra: { message?: string; field?: string } = {}): ErrorBody {
  return { error: { code: publicCode(key), message: extra.message ?? API_ERRORS[key].message, ...(extra.field ? { field: extra.field } : {}) } };
}

const retryAfter = (seconds: number | undefined): Record<string, string> =>
  seconds === undefined ? {} : { "retry-after": String(Math.max(1, Math.ceil(seconds))) };

export function errorResponse(key: ApiErrorKey, extra: { message?: string; field?: string; retryAfterSeconds?: number } = {}, headers: Record<string, string> = {}): Response {
  return jsonResponse(API_ERRORS[key].status, errorBody(key, extra), { ...retryAfter(extra.retryAfterSeconds), ...headers });
}

type Answer = { status: number; body: unknown; retryAfterSeconds?: number };

function answerOf(result: { ok: true; verification: VerificationObject } | ApiFailure, successStatus: number): Answer {
  if (result.ok) return { status: successStatus, body: result.verification };
  return { status: API_ERRORS[result.code].status, body: errorBody(result.code, result), retryAfterSeconds: result.retryAfterSeconds };
}

/** `application/json`, with or without parameters such as `charset=utf-8`. */
function isJson(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function parseJson(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

/** The first problem, named by its field: a developer fixes one thing at a time anyway. */
function validationError(error: z.ZodError): Response {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    const field = issue.keys[0]!;
    return errorResponse("invalid_request", { field, message: `\`${field}\` is not a property of this request. Remove it; the API reference lists the accepted ones.` });
  }
  const field = issue.path.map(String).join(".");
  return errorResponse("invalid_request", { message: issue.message, ...(field ? { field } : {}) });
}

export type RouteContext<P> = { params: Promise<P> };

type Handler<I, P> = (call: { principal: ApiKeyPrincipal; input: I; params: P }) => Promise<{ ok: true; verification: VerificationObject } | ApiFailure>;

type RouteOptions<S extends z.ZodType | undefined> = {
  /** The JSON body's schema; without one the route reads no body (GET). */
  body?: S;
  /** Honour `Idempotency-Key` (create only). */
  idempotent?: boolean;
  successStatus?: number;
};

/**
 * One pipeline for every Verify API route, in the contract's order: key (401) → per-key
 * rate limit (429) → Content-Type (415) → size (413) → JSON (400) → schema (400) →
 * Idempotency-Key → the domain function, whose refusals map to their statuses. Anything
 * thrown is logged (lib/log: never a query's parameters) and answered with a bare 500 — or,
 * when the database is unavailable, a 503 `service_unavailable` with Retry-After.
 */
export function apiRoute<P, S extends z.ZodType | undefined = undefined>(
  options: RouteOptions<S>,
  handler: Handler<S extends z.ZodType ? z.output<S> : undefined, P>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      const principal = await authenticateApiKey(request.headers.get("authorization"));
      if (!principal) return errorResponse("unauthorized", {}, { "www-authenticate": "Bearer" });
      const perKey = await rateLimit(`api:key:${principal.keyId}`, { limit: REQUESTS_PER_KEY_PER_SECOND, windowSeconds: 1 });
      if (!perKey.allowed) return errorResponse("rate_limited", { message: RATE_LIMIT_MESSAGES.key, retryAfterSeconds: perKey.retryAfterSeconds });

      let input: unknown = undefined;
      if (options.body) {
        if (!isJson(request.headers.get("content-type"))) return errorResponse("unsupported_media_type");
        const body = await readBody(request, MAX_BODY_BYTES);
        if (!body.ok) return errorResponse("payload_too_large");
        const json = parseJson(body.bytes);
        if (!json.ok) return errorResponse("invalid_json");
        const parsed = options.body.safeParse(json.value);
        if (!parsed.success) return validationError(parsed.error);
        input = parsed.data;
      }

      const idempotencyKey = options.idempotent ? request.headers.get("idempotency-key") : null;
      if (idempotencyKey !== null && !isValidIdempotencyKey(idempotencyKey)) {
        return errorResponse("invalid_request", { field: "Idempotency-Key", message: IDEMPOTENCY_KEY_MESSAGE });
      }

      const params = await context.params;
      const run = async () => answerOf(await handler({ principal, input: input as never, params }), options.successStatus ?? 200);
      if (idempotencyKey === null) return respond(await run());

      const outcome = await withIdempotency(principal.keyId, idempotencyKey, requestHash(input), run);
      if (outcome.kind === "conflict") return errorResponse(outcome.code);
      if (outcome.kind === "replayed") return jsonResponse(outcome.answer.status, outcome.answer.body, { "idempotent-replayed": "true" });
      return respond(outcome.answer);
    } catch (error) {
      // The client hung up (mid-body, or while we worked): nobody reads this answer, and it is no server fault.
      if (request.signal.aborted) return errorResponse("internal_error");
      const where = { method: request.method, path: new URL(request.url).pathname };
      if (isDatabaseUnavailable(error)) {
        log.warn("verify_api.database_unavailable", where, error);
        return errorResponse("service_unavailable", { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
      }
      log.error("verify_api.request_failed", where, error);
      return errorResponse("internal_error");
    }
  };
}

function respond(answer: Answer): Response {
  return jsonResponse(answer.status, answer.body, retryAfter(answer.retryAfterSeconds));
}

/**
 * The handler for the methods a route does not serve: 405 with `Allow`, as JSON (Next's own
 * 405 has no body). Export it under each such method.
 */
export function methodNotAllowed(...allowed: ("GET" | "POST")[]): () => Response {
  const allow = allowed.flatMap((method) => (method === "GET" ? ["GET", "HEAD"] : [method])).join(", ");
  return () => errorResponse("method_not_allowed", {}, { allow });
}

/** Every method of a path under /api/v1 that is no endpoint. */
export function routeNotFound(): Response {
  return errorResponse("route_not_found");
}
