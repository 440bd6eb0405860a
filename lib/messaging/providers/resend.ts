import "server-only";
import { Resend } from "resend";
import { ProviderError } from "../errors";
import type { Lookup, Message, MessageProvider, SendContext } from "../types";

/** Every email Tessera sends has a subject; this covers a caller that forgot one. */
const FALLBACK_SUBJECT = "A message from Tessera";

export type ResendSettings = { apiKey: string; from: string; baseUrl?: string };

/**
 * Email through Resend's SDK. The SDK never throws: it answers `{ data, error }`, and a
 * request it could not complete (our timeout included) comes back as a generic error, so a
 * fired signal is what tells a timeout apart.
 */
export function resendProvider(settings: ResendSettings): MessageProvider {
  const client = new Resend(settings.apiKey, settings.baseUrl ? { baseUrl: settings.baseUrl.replace(/\/+$/, "") } : undefined);
  return {
    name: "resend",
    async send(message: Message, { deliveryId, signal, timeoutMs }: SendContext) {
      const { data, error } = await client.emails.send(
        { from: settings.from, to: [message.to], subject: message.subject ?? FALLBACK_SUBJECT, text: message.text },
        // The delivery id as idempotency key: should anyone ever retry this request, Resend sends once.
        { idempotencyKey: `tessera-delivery-${deliveryId}`, signal },
      );
      if (error) {
        if (signal.aborted) throw new ProviderError(`Resend did not answer within ${timeoutMs} ms.`, { timedOut: true });
        const status = error.statusCode ? `HTTP ${error.statusCode}, ${error.name}` : error.name;
        throw new ProviderError(`Resend refused the email (${status}): ${error.message}`, {
          providerCode: error.name,
          httpStatus: error.statusCode ?? undefined,
        });
      }
      if (!data?.id) throw new ProviderError("Resend answered without an email id, so the email may not have been accepted.");
      return { providerMessageId: data.id, status: "sent" };
    },
    async lookup({ providerMessageId, signal, timeoutMs }: Lookup) {
      // The idempotency key cannot recover a lost id: Resend answers a repeat only with the same payload, and the text (the code) is gone.
      if (!providerMessageId) return { cannotTell: "Resend's answer to the send was lost, and Resend can be asked about an email only by its id." };
      const { data, error } = await client.emails.get(providerMessageId, { signal });
      if (error) {
        if (signal.aborted) throw new ProviderError(`Resend did not answer the status request within ${timeoutMs} ms.`, { timedOut: true });
        if (error.statusCode === 404) return { matches: [] };
        const status = error.statusCode ? `HTTP ${error.statusCode}, ${error.name}` : error.name;
        throw new ProviderError(`Resend could not say what became of the email (${status}): ${error.message}`, {
          providerCode: error.name,
          httpStatus: error.statusCode ?? undefined,
        });
      }
      if (!data?.last_event) throw new ProviderError("Resend answered the status request without the email's last event.");
      return { matches: [{ providerMessageId: data.id, status: data.last_event, error: null }] };
    },
  };
}
