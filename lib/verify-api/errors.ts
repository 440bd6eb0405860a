/**
 * The Verify API's error codes: one table for the status each answers with and the message a
 * developer reads. The domain returns codes; only the HTTP layer turns them into responses.
 */
export const API_ERRORS = {
  invalid_request: { status: 400, message: "The request is not valid. Check the field named in `field`." },
  invalid_json: { status: 400, message: "The request body is not valid JSON. Send a JSON object encoded as UTF-8." },
  unauthorized: {
    status: 401,
    message: "Send a live API key as `Authorization: Bearer tsk_live_…`. Keys are created under Team → Developers.",
  },
  insufficient_credits: {
    status: 402,
    message: "This team has no SMS credits left, so nothing was sent. An owner can add credits under Team → SMS credits; email codes stay free.",
  },
  not_found: { status: 404, message: "No verification with that id exists for this API key's team." },
  route_not_found: { status: 404, message: "There is no such endpoint. The API's endpoints are listed at /api/v1/openapi.json." },
  method_not_allowed: { status: 405, message: "This endpoint does not accept that method. The `Allow` header lists the methods it does." },
  already_approved: { status: 409, message: "This verification was already approved; a code approves only once. Start a new verification." },
  verification_not_pending: {
    status: 409,
    message: "This verification is no longer pending (approved, expired, failed or replaced). Start a new verification.",
  },
  fallback_unavailable: { status: 409, message: "Only a verification sent to a phone number (sms or voice) can fall back to a voice call." },
  too_many_sends: { status: 409, message: "This verification was already sent 3 times. Start a new verification if the person still has no code." },
  idempotency_key_reused: {
    status: 409,
    message: "This Idempotency-Key was already used with a different request body. Use a new key for a new request.",
  },
  idempotency_in_progress: {
    status: 409,
    message: "A request with this Idempotency-Key is still being processed. Retry in a moment to get its answer.",
  },
  payload_too_large: { status: 413, message: "The request body is over 16 KiB. Send a smaller JSON object." },
  unsupported_media_type: { status: 415, message: "Send the request body as JSON with `Content-Type: application/json`." },
  rate_limited: { status: 429, message: "Too many requests. Wait the number of seconds in the `Retry-After` header, then try again." },
  internal_error: { status: 500, message: "Something went wrong on our side. Try again in a moment." },
  delivery_failed: { status: 502, message: "The message could not be delivered. Try again in a moment." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorKey = keyof typeof API_ERRORS;

/** The `code` a response carries: route_not_found is a not_found to clients. */
export function publicCode(key: ApiErrorKey): string {
  return key === "route_not_found" ? "not_found" : key;
}

export const RATE_LIMIT_MESSAGES = {
  key: "This API key sent more than 100 requests in one second. Wait the number of seconds in the `Retry-After` header, then try again.",
  destination:
    "This destination got as many codes in the last hour as it may (5 from one team, 10 from all teams). Wait the number of seconds in the `Retry-After` header, or ask the person to use another number or address.",
} as const;

/** A refusal of the domain: a code from the table, and optionally a more precise message, field and wait. */
export type ApiFailure = { ok: false; error: ApiErrorKey; message?: string; field?: string; retryAfterSeconds?: number };

export function failure(error: ApiErrorKey, extra: Omit<ApiFailure, "ok" | "error"> = {}): ApiFailure {
  return { ok: false, error, ...extra };
}
