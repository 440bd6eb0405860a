import "server-only";
import { config } from "@/lib/config";
import type { Channel } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { ChannelNotConfiguredError, MessagingConfigError } from "./errors";
import { outboxProvider } from "./providers/outbox";
import { resendProvider } from "./providers/resend";
import { twilioProvider } from "./providers/twilio";
import type { MessageProvider } from "./types";

/** Where Twilio reports what became of a message; see app/api/webhooks/twilio/status. */
export const TWILIO_STATUS_PATH = "/api/webhooks/twilio/status";

const missing = (vars: Record<string, string | undefined>) => Object.keys(vars).filter((name) => !vars[name]);

const EMAIL_VARIABLES = ["RESEND_API_KEY", "EMAIL_FROM"];
const PHONE_VARIABLES = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"];

/** A provider's channels that cannot send, and the variables that would let them. */
export type UnconfiguredChannel = { channels: Channel[]; variables: string[] };

/**
 * Channels with no provider at all where nobody can read the outbox: in production, none of
 * the provider's variables set and no TESSERA_DEV_OUTBOX. The outbox is a provider exactly
 * where its reader, /dev/outbox, is on (`config.devOutboxEnabled`): anywhere else a message
 * put there reaches no one, so the send is refused up front (nothing stored, spent or
 * counted) instead of answering "sent". Half-configured providers are not listed here: they
 * fail every send with the missing variable's name (`chooseProvider`).
 */
export function unconfiguredChannels(): UnconfiguredChannel[] {
  if (config.devOutboxEnabled) return [];
  const { resend, twilio } = config;
  const unset: UnconfiguredChannel[] = [];
  if (!resend.apiKey && !resend.from) unset.push({ channels: ["email"], variables: EMAIL_VARIABLES });
  if (!twilio.accountSid && !twilio.authToken && !twilio.fromNumber) unset.push({ channels: ["sms", "voice"], variables: PHONE_VARIABLES });
  return unset;
}

export function channelConfigured(channel: Channel): boolean {
  return !unconfiguredChannels().some((unset) => unset.channels.includes(channel));
}

/** Said once at start (lib/db/startup.ts), so the operator learns it before the first person is refused a code. */
export function warnUnconfiguredChannels(): void {
  for (const { channels, variables } of unconfiguredChannels()) {
    log.warn("messaging.not_configured", { channels: channels.join(", "), set: variables.join(", ") });
  }
}

/**
 * The provider of a channel, from the environment (lib/config.ts), read at every send so a
 * changed variable needs no restart of this module. All of a provider's variables set means
 * that provider; none means the outbox where it has a reader (`unconfiguredChannels`), and a
 * `ChannelNotConfiguredError` elsewhere; some but not all is a setup mistake, refused with the
 * names of the missing variables — quietly keeping messages in a database table, where
 * nobody receives them, would look like a working sign-in until the first person is locked out.
 */
export function chooseProvider(channel: Channel): MessageProvider {
  return channel === "email" ? emailProvider() : phoneProvider();
}

function outboxIfRead(channel: Channel): MessageProvider {
  if (!channelConfigured(channel)) throw new ChannelNotConfiguredError(channel);
  return outboxProvider;
}

function emailProvider(): MessageProvider {
  const { apiKey, from, baseUrl } = config.resend;
  const absent = missing({ RESEND_API_KEY: apiKey, EMAIL_FROM: from });
  if (absent.length === 2) return outboxIfRead("email");
  if (absent.length > 0) {
    throw new MessagingConfigError(
      `Email is half configured: ${absent[0]} is not set. Set both RESEND_API_KEY and EMAIL_FROM to send email through Resend, or neither to keep emails in the outbox.`,
    );
  }
  return resendProvider({ apiKey: apiKey!, from: from!, baseUrl });
}

function phoneProvider(): MessageProvider {
  const { accountSid, authToken, fromNumber, baseUrl } = config.twilio;
  const absent = missing({ TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM_NUMBER: fromNumber });
  if (absent.length === 3) return outboxIfRead("sms");
  if (absent.length > 0) {
    throw new MessagingConfigError(
      `SMS and voice are half configured: ${absent.join(" and ")} ${absent.length > 1 ? "are" : "is"} not set. Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER to send through Twilio, or none of them to keep messages in the outbox.`,
    );
  }
  if (!/^\+[1-9]\d{6,14}$/.test(fromNumber!)) {
    throw new MessagingConfigError(`TWILIO_FROM_NUMBER must be a phone number in E.164 form, like +14155552671; it is "${fromNumber}".`);
  }
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new MessagingConfigError(`TWILIO_API_BASE_URL must be a URL, like https://api.twilio.com; it is "${baseUrl}".`);
  }
  // The auth token travels in every request's Basic auth: only over TLS, or to this machine (a local test server).
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(base.hostname);
  if (base.protocol !== "https:" && !(base.protocol === "http:" && loopback)) {
    throw new MessagingConfigError(`TWILIO_API_BASE_URL must use https:// (plain http only to localhost); it is "${baseUrl}".`);
  }
  // Twilio can only call back a public address: a development server on http://localhost gets no callbacks.
  const appUrl = config.appUrl;
  const statusCallback = appUrl.protocol === "https:" ? new URL(TWILIO_STATUS_PATH, appUrl).toString() : undefined;
  return twilioProvider({ accountSid: accountSid!, authToken: authToken!, fromNumber: fromNumber!, baseUrl: base.toString(), statusCallback });
}
