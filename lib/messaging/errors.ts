import "server-only";
import type { Channel } from "@/lib/db/schema";

/**
 * A provider's refusal or silence, as the provider reported it. Its message never holds the
 * message's text; `send()` turns it into a `DeliveryError`.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly details: { providerCode?: string; httpStatus?: number; timedOut?: boolean } = {},
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

/**
 * A message that did not go out. The message is the provider's error with the recipient
 * masked and never the text (nor any code in it), so it is safe to log; the delivery row
 * `deliveryId` holds the same error with status "failed".
 */
export class DeliveryError extends Error {
  readonly provider: string;
  readonly channel: Channel;
  readonly deliveryId: string;
  readonly providerCode?: string;
  readonly timedOut: boolean;

  constructor(message: string, details: { provider: string; channel: Channel; deliveryId: string; providerCode?: string; timedOut?: boolean }) {
    super(message);
    this.name = "DeliveryError";
    this.provider = details.provider;
    this.channel = details.channel;
    this.deliveryId = details.deliveryId;
    this.providerCode = details.providerCode;
    this.timedOut = details.timedOut ?? false;
  }
}

/** Provider variables set only in part: a setup mistake, reported instead of quietly using the outbox. */
export class MessagingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessagingConfigError";
  }
}

/**
 * A channel with no provider where nobody reads the outbox (production without
 * TESSERA_DEV_OUTBOX): callers check `channelConfigured` first and refuse without a trace;
 * this is what any other send (a security email, an invitation) meets.
 */
export class ChannelNotConfiguredError extends MessagingConfigError {
  constructor(readonly channel: Channel) {
    super(`No provider is configured for ${channel} on this server, and no one can read its outbox: the message was not sent.`);
    this.name = "ChannelNotConfiguredError";
  }
}
