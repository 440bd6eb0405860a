import "server-only";
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

/** A delivery whose outcome Tessera did not record, as the reconciler asks a provider about it. */
export type Lookup = {
  deliveryId: string;
  channel: Channel;
  to: string;
  /** Null when the provider's answer to the send was lost with the rest. */
  providerMessageId: string | null;
  /** When the delivery row was written: the send reached the provider within `timeoutMs` of it. */
  startedAt: Date;
  signal: AbortSignal;
  timeoutMs: number;
};

/** One message the provider has (or, for the outbox, knows it never had), and what became of it. */
export type Reported = { providerMessageId: string | null; status: string; error: string | null };

/**
 * The provider's answer about a lookup: the messages it has that can be this delivery (none,
 * one, or several the reconciler cannot tell apart), or why it cannot say at all.
 */
export type LookupResult = { matches: Reported[] } | { cannotTell: string };

/**
 * One delivery service. `send` makes one attempt, within `context.signal`, and throws
 * `ProviderError` with the provider's own words when the provider refuses or cannot be reached.
 * `lookup` asks, in one request within `lookup.signal`, what became of a message whose
 * outcome was not recorded; it throws `ProviderError` when the provider cannot be asked now.
 */
export interface MessageProvider {
  readonly name: string;
  send(message: Message, context: SendContext): Promise<Accepted>;
  lookup(lookup: Lookup): Promise<LookupResult>;
}
