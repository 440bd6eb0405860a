import { config } from "@/lib/config";
import { defineErrorCodes, type Refusal } from "@/lib/refusal";
import { countryName } from "@/lib/fraud/countries";
import type { GuardRefusal } from "@/lib/fraud/guard";
import { lineTypeArticle, rangeLabel } from "@/lib/fraud/numbers";
import { RANGE_BURST_ALL_TEAMS_PER_HOUR, RANGE_BURST_PER_HOUR, type OverLimit } from "@/lib/fraud/velocity";

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
  country_not_allowed: {
    status: 403,
    message: "This team does not send SMS or voice codes to that number's country, so nothing was sent or charged. An owner can allow the country under Team → SMS & voice.",
  },
  line_type_not_allowed: {
    status: 403,
    message:
      "Codes are not sent to this kind of number (premium-rate, shared-cost, toll-free, personal forwarding, UAN, voicemail or pager; texts to a landline; VoIP when the team turned it off), so nothing was sent or charged.",
  },
  sms_paused: {
    status: 403,
    message:
      "This team's SMS and voice codes are paused after an unusual burst of sends to one block of numbers, so nothing was sent or charged. An owner can resume them under Team → SMS & voice; email codes still work.",
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
  channel_not_configured: {
    status: 503,
    message:
      "This server has no provider for this channel (its operator has not configured email, or SMS and voice), so nothing was sent or charged. Use another channel; retrying will not help until the operator sets one up.",
  },
  service_unavailable: {
    status: 503,
    message: "Tessera cannot reach its database right now. Wait the number of seconds in the `Retry-After` header, then try again.",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorKey = keyof typeof API_ERRORS;

/*
 * How the table fits defineErrorCodes: the status is data a refusal does not carry (only the
 * HTTP layer needs it), so API_ERRORS stays the one typed table, read by the routes and the
 * OpenAPI document, and the codes-and-messages table is derived from it — one source, and the
 * domain's refusals are the Refusal every other module returns.
 */
const API_ERROR_CODES = defineErrorCodes(
  Object.fromEntries(Object.entries(API_ERRORS).map(([code, { message }]) => [code, message])) as { [C in ApiErrorKey]: (typeof API_ERRORS)[C]["message"] },
);

/** The `code` a response carries: route_not_found is a not_found to clients. */
export function publicCode(key: ApiErrorKey): string {
  return key === "route_not_found" ? "not_found" : key;
}

const WAIT = "Wait the number of seconds in the `Retry-After` header";

export const RATE_LIMIT_MESSAGES = {
  key: `This API key sent more than 100 requests in one second. ${WAIT}, then try again.`,
  destination: `This destination got as many codes in the last hour as it may (5 from one team, 10 from all teams). ${WAIT}, or ask the person to use another number or address.`,
  range: (range: string) =>
    `Your team sent more than ${RANGE_BURST_PER_HOUR} SMS and voice codes to numbers ${rangeLabel(range)} (one block of 1,000 numbers) in the last hour, the pattern of SMS pumping; that block gets no more this hour. ${WAIT}.`,
  rangeAllTeams: (range: string) =>
    `Numbers ${rangeLabel(range)} (one block of 1,000 numbers) got more than ${RANGE_BURST_ALL_TEAMS_PER_HOUR} SMS and voice codes from this server in the last hour, the pattern of SMS pumping; that block gets no more this hour. ${WAIT}.`,
  country: (country: string | null, max: number) =>
    `Your team sent ${max} SMS and voice codes to numbers in ${country ? countryName(country) : "that country"} in the last hour, the most this server allows. ${WAIT}, or use email.`,
  teamMinute: (max: number) => `Your team sent ${max} SMS and voice codes a minute, the most this server allows. ${WAIT}, then try again.`,
  teamDay: (max: number) => `Your team sent ${max} SMS and voice codes a day, the most this server allows. ${WAIT}, or use email.`,
  allTeamsDay: () =>
    `This server sent as many SMS and voice codes in 24 hours, all teams together, as its operator allows (${config.maxSmsPerDay}). ${WAIT}, or use email.`,
} as const;

function velocityMessage(over: OverLimit): string {
  switch (over.limit) {
    case "range":
      return RATE_LIMIT_MESSAGES.range(over.range);
    case "range_all_teams":
      return RATE_LIMIT_MESSAGES.rangeAllTeams(over.range);
    case "country":
      return RATE_LIMIT_MESSAGES.country(over.country, over.max);
    case "team_minute":
      return RATE_LIMIT_MESSAGES.teamMinute(over.max);
    case "team_day":
      return RATE_LIMIT_MESSAGES.teamDay(over.max);
    case "all_teams_day":
      return RATE_LIMIT_MESSAGES.allTeamsDay();
  }
}

/** The fraud controls' refusal (lib/fraud) as the API answers it: 403 for where a code may go, 429 for how many. */
export function guardFailure(refusal: GuardRefusal): ApiFailure {
  switch (refusal.code) {
    case "COUNTRY_NOT_ALLOWED": {
      const where = refusal.country ? `${countryName(refusal.country)} (${refusal.country})` : null;
      return failure("country_not_allowed", {
        field: "to",
        message: where
          ? `This team does not send SMS or voice codes to ${where}, so nothing was sent or charged. An owner can allow the country under Team → SMS & voice.`
          : "This number belongs to no country (an international network such as +800, +881 satellite or +882/+883), and codes go only to the countries a team allows. Nothing was sent or charged.",
      });
    }
    case "LINE_TYPE_NOT_ALLOWED": {
      const kind = lineTypeArticle(refusal.lineType);
      const why = {
        never: `Codes are never sent to ${kind}: none is a person's own phone, and such numbers are how toll fraud earns money.`,
        landline: `The number is ${kind}, which cannot receive text messages: send \`channel: "voice"\` instead.`,
        voip: `The number is ${kind}, and this team turned off codes to VoIP numbers for the API (Team → SMS & voice).`,
      }[refusal.rule];
      return failure("line_type_not_allowed", { field: "to", message: `${why} Nothing was sent or charged.` });
    }
    case "SMS_PAUSED":
      return failure("sms_paused", refusal.reason ? { message: `${API_ERRORS.sms_paused.message} Why: ${refusal.reason}` } : {});
    case "OVER_LIMIT":
      return failure("rate_limited", { message: velocityMessage(refusal), retryAfterSeconds: refusal.retryAfterSeconds });
  }
}

/** A refusal of the domain: a code from the table, with its message unless a more precise one is given, and a field and wait where they apply. */
export type ApiFailure = Refusal<ApiErrorKey>;

export function failure(code: ApiErrorKey, extra: { message?: string; field?: string; retryAfterSeconds?: number } = {}): ApiFailure {
  const { message, ...detail } = extra;
  return { ...API_ERROR_CODES.refuse(code, detail), ...(message !== undefined ? { message } : {}) };
}
