import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { config } from "@/lib/config";
import { TWILIO_STATUS_PATH } from "./choose-provider";
import { recordProviderStatus } from "./deliveries";
import { ourTwilioStatus, twilioErrorText } from "./providers/twilio";

/**
 * Twilio's request signature: HMAC-SHA1 under the auth token over the full URL it called
 * followed by every POST parameter, sorted by name, as name then value; base64.
 * https://www.twilio.com/docs/usage/security#validating-requests
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  const data = url + names.map((name) => params.getAll(name).map((value) => name + value).join("")).join("");
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

// Twilio's statuses are short lower-case words ("delivered", "no-answer"); anything else is not a callback of ours.
const status = z.string().regex(/^[a-z-]{1,32}$/);
const sid = z.string().regex(/^[A-Z]{2}[0-9a-f]{32}$/);
const callback = z.union([
  z.object({ AccountSid: z.string(), MessageSid: sid, MessageStatus: status, ErrorCode: z.string().regex(/^\d{1,6}$/).optional() }),
  z.object({ AccountSid: z.string(), CallSid: sid, CallStatus: status }),
]);

/** Once a message or call reached one of these, a later-arriving earlier status does not undo it. */
export const FINAL_STATUSES = ["delivered", "undelivered", "failed", "read", "canceled", "completed", "busy", "no-answer"];

export type StatusCallbackResult = { status: 204 | 400 | 403 | 404 };

/**
 * A status callback from Twilio (`StatusCallback` of the SMS or call): checks the signature
 * against the URL Tessera gave Twilio (not the request's own, which a proxy in front may
 * have rewritten), then stores the status on the message's delivery row. 404 while Twilio is
 * not configured; 403 for a wrong signature; 400 for a signed body that is not a status.
 */
export async function handleTwilioStatus(input: { signature: string | null; body: string; query: string }): Promise<StatusCallbackResult> {
  const { accountSid, authToken } = config.twilio;
  if (!accountSid || !authToken) return { status: 404 };
  const params = new URLSearchParams(input.body);
  const url = new URL(TWILIO_STATUS_PATH, config.appUrl).toString() + input.query;
  if (!input.signature || !sameSignature(twilioSignature(authToken, url, params), input.signature)) return { status: 403 };

  const parsed = callback.safeParse(Object.fromEntries(params));
  if (!parsed.success || parsed.data.AccountSid !== accountSid) return { status: 400 };
  const update =
    "MessageSid" in parsed.data
      ? {
          providerMessageId: parsed.data.MessageSid,
          status: ourTwilioStatus(parsed.data.MessageStatus),
          error: parsed.data.ErrorCode ? twilioErrorText(parsed.data.ErrorCode) : null,
        }
      : { providerMessageId: parsed.data.CallSid, status: ourTwilioStatus(parsed.data.CallStatus), error: null };
  // An unknown sid is answered 204 all the same: Twilio would only retry, and it may be a message sent before deliveries were recorded.
  await recordProviderStatus({ provider: "twilio", ...update, unlessFinal: !FINAL_STATUSES.includes(update.status) ? FINAL_STATUSES : undefined });
  return { status: 204 };
}
