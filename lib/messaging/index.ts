import "server-only";
import { desc, lt } from "drizzle-orm";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { log } from "@/lib/log";
import { outbox, type OutboxMessage } from "@/lib/db/schema";
import { chooseProvider } from "./choose-provider";
import { markAccepted, markFailed, startDelivery } from "./deliveries";
import { DeliveryError, ProviderError } from "./errors";
import { redactProviderText } from "./redact";
import type { Accepted, Message, SendResult } from "./types";

export type { Message, SendResult } from "./types";
export { DeliveryError, MessagingConfigError } from "./errors";

/**
 * The one way Tessera sends an email, SMS or voice message. Every message gets a
 * `message_deliveries` row ("sending" → the provider's status, or "failed" with its error),
 * whose id is the result's `id`. One attempt within `config.messageTimeoutMs`, no retry: the
 * caller tells the person, who can ask again.
 *
 * `paid.ledgerId`: the credit-ledger row that paid for the message (lib/teams/credits.ts
 * `withCredit`), which is given the delivery's id before the provider is called.
 *
 * Throws `DeliveryError` when the provider refuses, fails or does not answer in time (its
 * message is safe to log), and `MessagingConfigError` when the provider's variables are set
 * only in part.
 */
export async function send(message: Message, paid: { ledgerId?: string } = {}): Promise<SendResult> {
  let provider;
  let timeoutMs;
  try {
    provider = chooseProvider(message.channel);
    timeoutMs = config.messageTimeoutMs;
  } catch (error) {
    log.error("messaging.not_configured", { channel: message.channel }, error);
    throw error;
  }

  const deliveryId = await startDelivery({ provider: provider.name, channel: message.channel, to: message.to, ledgerId: paid.ledgerId });
  let accepted: Accepted;
  try {
    accepted = await provider.send(message, { deliveryId, signal: AbortSignal.timeout(timeoutMs), timeoutMs });
  } catch (error) {
    const failure = error instanceof ProviderError ? error : new ProviderError(`${provider.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    const reason = redactProviderText(failure.message, message);
    const { providerCode, timedOut } = failure.details;
    log.error("messaging.send_failed", { provider: provider.name, channel: message.channel, to: message.to, deliveryId, providerCode, reason });
    try {
      await markFailed(deliveryId, reason);
    } catch (recordError) {
      log.error("messaging.mark_failed_failed", { deliveryId }, recordError);
    }
    throw new DeliveryError(reason, { provider: provider.name, channel: message.channel, deliveryId, providerCode, timedOut });
  }

  // The provider has the message: failing to note it would make the caller report a failure
  // (and refund a credit) for a message that is on its way. The delivery stays "sending" and
  // the reconciler (./reconcile.ts) settles it from the provider later.
  try {
    await markAccepted(deliveryId, accepted);
  } catch (error) {
    log.error("messaging.accepted_not_recorded", { deliveryId, provider: provider.name, providerMessageId: accepted.providerMessageId }, error);
  }
  return { id: deliveryId, provider: provider.name, providerMessageId: accepted.providerMessageId };
}

export const OUTBOX_PAGE_SIZE = 50;

/** Outbox messages newest first; `before` is the `seq` of the last message already shown. */
export async function listOutbox(before?: number): Promise<{ messages: OutboxMessage[]; nextBefore?: number }> {
  const rows = await db()
    .select()
    .from(outbox)
    .where(before ? lt(outbox.seq, before) : undefined)
    .orderBy(desc(outbox.seq))
    .limit(OUTBOX_PAGE_SIZE + 1);
  const messages = rows.slice(0, OUTBOX_PAGE_SIZE);
  return { messages, nextBefore: rows.length > OUTBOX_PAGE_SIZE ? messages.at(-1)!.seq : undefined };
}
