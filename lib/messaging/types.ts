import type { Channel } from "@/lib/db/schema";

export type Message = {
  channel: Channel;
  /** An email address, or a phone number in E.164. */
  to: string;
  /** Email only. */
  subject?: string;
  /** For voice, what is spoken: each line is said on its own, with a pause between lines. */
  text: string;
  /** BCP-47 (`en`, `es`, `pt-BR`): the voice call's language. Default `en`. */
  locale?: string;
};

export type SendResult = {
  /** The message's `message_deliveries` row (a uuid); the credit ledger keeps it. */
  id: string;
  provider: string;
  /** The provider's own id for the message (Twilio's `SM…`/`CA…`, Resend's uuid). */
  providerMessageId?: string;
};

/** What a provider gets besides the message: the delivery row's id and when to give up. */
export type SendContext = { deliveryId: string; signal: AbortSignal; timeoutMs: number };

/** What the provider accepted: its id for the message and the status it reported. */
export type Accepted = { providerMessageId: string; status: string };

/**
 * One delivery service. `send` makes one attempt, within `context.signal`, and throws
 * `ProviderError` with the provider's own words when the provider refuses or cannot be reached.
 */
export interface MessageProvider {
  readonly name: string;
  send(message: Message, context: SendContext): Promise<Accepted>;
}
