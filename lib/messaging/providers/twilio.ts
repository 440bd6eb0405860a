import { z } from "zod";
import { ProviderError } from "../errors";
import type { Message, MessageProvider, SendContext } from "../types";
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

/**
 * SMS (`Messages.json`) and voice calls (`Calls.json` with TwiML) through Twilio's REST API
 * or any server speaking it: one form-encoded POST with HTTP Basic auth, one attempt.
 */
export function twilioProvider(settings: TwilioSettings): MessageProvider {
  const base = settings.baseUrl.replace(/\/+$/, "");
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString("base64")}`;
  return {
    name: "twilio",
    async send(message: Message, { signal, timeoutMs }: SendContext) {
      if (message.channel === "email") throw new Error("twilioProvider: email goes through the email provider");
      const what = message.channel === "sms" ? "SMS" : "call";
      const form = new URLSearchParams({ To: message.to, From: settings.fromNumber });
      if (message.channel === "sms") form.set("Body", message.text);
      else form.set("Twiml", voiceTwiml(message.text, message.locale));
      if (settings.statusCallback) form.set("StatusCallback", settings.statusCallback);
      const resource = message.channel === "sms" ? "Messages" : "Calls";
      const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/${resource}.json`;

      let response: Response;
      let body: string;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", Accept: "application/json" },
          body: form.toString(),
          signal,
          // A redirect would carry the credentials somewhere else; a real API never sends one.
          redirect: "error",
        });
        body = await response.text();
      } catch (error) {
        if (signal.aborted) throw new ProviderError(`Twilio did not answer the ${what} request within ${timeoutMs} ms.`, { timedOut: true });
        throw new ProviderError(`Twilio could not be reached for the ${what} (${networkCause(error)}).`);
      }

      const json = parseJson(body);
      if (!response.ok) {
        const error = refused.safeParse(json);
        const code = error.success && error.data.code !== undefined ? String(error.data.code) : undefined;
        const reason = (error.success && error.data.message) || response.statusText || "no reason given";
        throw new ProviderError(`Twilio refused the ${what} (HTTP ${response.status}${code ? `, error ${code}` : ""}): ${reason}`, {
          providerCode: code,
          httpStatus: response.status,
        });
      }
      const ok = accepted.safeParse(json);
      if (!ok.success) throw new ProviderError(`Twilio answered the ${what} request (HTTP ${response.status}) without a ${resource === "Messages" ? "message" : "call"} sid, so it may not have been accepted.`);
      return { providerMessageId: ok.data.sid, status: ok.data.status ?? "sent" };
    },
  };
}
