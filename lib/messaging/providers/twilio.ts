import "server-only";
import { z } from "zod";
import { ProviderError } from "../errors";
import type { Lookup, Message, MessageProvider, SendContext } from "../types";
import { voiceTwiml } from "./twiml";

export type TwilioSettings = {
  accountSid: string;
  authToken: string;
  /** E.164: the number SMS come from and calls are made from. */
  fromNumber: string;
  /** `https://api.twilio.com`, or another Twilio-compatible server. */
  baseUrl: string;
  /** Where the provider reports later statuses (sent, delivered, failed…); unset asks for none. */
  statusCallback?: string;
};

const accepted = z.object({ sid: z.string().min(1), status: z.string().min(1).optional() });
const refused = z.object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why fetch itself failed, in a few words ("ECONNREFUSED", "certificate has expired"). */
function networkCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** How Tessera words an error code Twilio reported for an SMS (status callbacks and look-ups alike). */
export const twilioErrorText = (code: string | number) => `Twilio reported error ${code} for the SMS.`;

/** A Message or Call resource: the fields a look-up reads. */
const resource = z.object({
  sid: z.string().min(1),
  status: z.string().min(1),
  to: z.string().nullish(),
  date_created: z.string().nullish(),
  error_code: z.union([z.number(), z.string()]).nullish(),
});
type Resource = z.infer<typeof resource>;
const messageList = z.object({ messages: z.array(resource) });
const callList = z.object({ calls: z.array(resource) });

/**
 * A Twilio status as Tessera records it. Tessera's own "sending" means "the provider is being
 * called, or its answer was lost" (what the reconciler settles); Twilio's "sending"
 * (dispatching to the carrier) is recorded as the queued message it still is.
 */
export const ourTwilioStatus = (status: string) => (status === "sending" ? "queued" : status);

/** A send reaches Twilio within the timeout of its delivery row; this much more allows for the two clocks disagreeing. */
const CLOCK_SKEW_MS = 30_000;

/**
 * SMS (`Messages.json`) and voice calls (`Calls.json` with TwiML) through Twilio's REST API
 * or any server speaking it: one form-encoded POST with HTTP Basic auth, one attempt.
 */
export function twilioProvider(settings: TwilioSettings): MessageProvider {
  const base = settings.baseUrl.replace(/\/+$/, "");
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString("base64")}`;
  const account = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}`;

  /** One request; `what` names it in errors ("SMS", "call status"). Network failures and the timeout become ProviderErrors. */
  async function call(url: string, what: string, { signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number }, form?: URLSearchParams) {
    try {
      const response = await fetch(url, {
        method: form ? "POST" : "GET",
        headers: { Authorization: authorization, Accept: "application/json", ...(form && { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" }) },
        body: form?.toString(),
        signal,
        // A redirect would carry the credentials somewhere else; a real API never sends one.
        redirect: "error",
      });
      return { response, json: parseJson(await response.text()) };
    } catch (error) {
      if (signal.aborted) throw new ProviderError(`Twilio did not answer the ${what} request within ${timeoutMs} ms.`, { timedOut: true });
      throw new ProviderError(`Twilio could not be reached for the ${what} (${networkCause(error)}).`);
    }
  }

  function refusal(response: Response, json: unknown, what: string, verb: string): ProviderError {
    const error = refused.safeParse(json);
    const code = error.success && error.data.code !== undefined ? String(error.data.code) : undefined;
    const reason = (error.success && error.data.message) || response.statusText || "no reason given";
    return new ProviderError(`Twilio ${verb} the ${what} (HTTP ${response.status}${code ? `, error ${code}` : ""}): ${reason}`, {
      providerCode: code,
      httpStatus: response.status,
    });
  }

  const reported = (r: Resource, channel: string) => ({
    providerMessageId: r.sid,
    status: ourTwilioStatus(r.status),
    error: channel === "sms" && r.error_code != null && r.error_code !== "" ? twilioErrorText(r.error_code) : null,
  });

  return {
    name: "twilio",
    async send(message: Message, context: SendContext) {
      if (message.channel === "email") throw new Error("twilioProvider: email goes through the email provider");
      const what = message.channel === "sms" ? "SMS" : "call";
      const form = new URLSearchParams({ To: message.to, From: settings.fromNumber });
      if (message.channel === "sms") form.set("Body", message.text);
      else form.set("Twiml", voiceTwiml(message.text, message.locale));
      if (settings.statusCallback) form.set("StatusCallback", settings.statusCallback);
      const kind = message.channel === "sms" ? "Messages" : "Calls";

      const { response, json } = await call(`${account}/${kind}.json`, what, context, form);
      if (!response.ok) throw refusal(response, json, what, "refused");
      const ok = accepted.safeParse(json);
      if (!ok.success) throw new ProviderError(`Twilio answered the ${what} request (HTTP ${response.status}) without a ${kind === "Messages" ? "message" : "call"} sid, so it may not have been accepted.`);
      return { providerMessageId: ok.data.sid, status: ok.data.status ?? "sent" };
    },

    /**
     * By sid when it was recorded: the Message or Call resource. Without it (Twilio's answer
     * was lost), the list of messages or calls to that number from our number, newest first,
     * narrowed to those created while this send could have reached Twilio. (Not DateSent: a
     * message still queued has none.)
     */
    async lookup(lookup: Lookup) {
      if (lookup.channel === "email") throw new Error("twilioProvider: email goes through the email provider");
      const kind = lookup.channel === "sms" ? "Messages" : "Calls";
      const what = `${lookup.channel === "sms" ? "SMS" : "call"} status`;
      if (lookup.providerMessageId) {
        const { response, json } = await call(`${account}/${kind}/${encodeURIComponent(lookup.providerMessageId)}.json`, what, lookup);
        if (response.status === 404) return { matches: [] };
        if (!response.ok) throw refusal(response, json, what, "could not answer");
        const found = resource.safeParse(json);
        if (!found.success) throw new ProviderError(`Twilio answered the ${what} request (HTTP ${response.status}) without a status.`);
        return { matches: [reported(found.data, lookup.channel)] };
      }
      const query = new URLSearchParams({ To: lookup.to, From: settings.fromNumber, PageSize: "50" });
      const { response, json } = await call(`${account}/${kind}.json?${query}`, what, lookup);
      if (!response.ok) throw refusal(response, json, what, "could not answer");
      const list = (kind === "Messages" ? messageList : callList).safeParse(json);
      if (!list.success) throw new ProviderError(`Twilio answered the ${what} request (HTTP ${response.status}) without a list.`);
      const items = "messages" in list.data ? list.data.messages : list.data.calls;
      const from = lookup.startedAt.getTime() - CLOCK_SKEW_MS;
      const until = lookup.startedAt.getTime() + lookup.timeoutMs + CLOCK_SKEW_MS;
      const inWindow = items.filter((item) => {
        const created = Date.parse(item.date_created ?? "");
        return item.to === lookup.to && created >= from && created <= until;
      });
      return { matches: inWindow.map((item) => reported(item, lookup.channel)) };
    },
  };
}
