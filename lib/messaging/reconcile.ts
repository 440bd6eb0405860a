import "server-only";
import { config } from "@/lib/config";
import type { MessageDelivery } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { chooseProvider } from "./choose-provider";
import { claimStuckDeliveries, heldByOthers, settleDelivery } from "./deliveries";
import { ProviderError } from "./errors";
import type { LookupResult, MessageProvider } from "./types";

/** Deliveries looked at per pass: each may cost one provider request. */
export const RECONCILE_BATCH = 20;
/** A send that is still "sending" this long after its row was written is past every timeout. */
const STUCK_MARGIN_MS = 60_000;
/**
 * After this long a delivery the provider still cannot be asked about is `unknown`: what
 * became of a code long expired no longer matters to anyone, and the queue must end.
 */
export const GIVE_UP_AFTER_HOURS = 24;

export const UNKNOWN = "unknown";

export type Reconciled = { settled: number; unknown: number; retry: number };

type Verdict = keyof Reconciled;

const label = (provider: string) => provider.charAt(0).toUpperCase() + provider.slice(1);

/** The provider that sent the delivery, as configured now; a different one (or none) cannot be asked. */
function providerOf(delivery: MessageDelivery): MessageProvider {
  const provider = chooseProvider(delivery.channel);
  if (provider.name !== delivery.provider) throw new ProviderError(`${label(delivery.provider)} is no longer configured for ${delivery.channel}, so it cannot be asked.`);
  return provider;
}

/**
 * Settles deliveries left "sending" — the provider was called, but what it answered was
 * never recorded (a database fault after the answer, or a crash) — from what the provider
 * says now, or as `unknown` when it cannot say. One batch per call, one provider request per
 * delivery within `MESSAGE_TIMEOUT_MS`; a provider that fails is not asked again in the same
 * pass, so a pass lasts at most one timeout per provider plus the quick answers. Run by the
 * retention pass (lib/db/retention.ts). Throws only when the batch cannot be claimed.
 */
export async function reconcileDeliveries(): Promise<Reconciled> {
  const timeoutMs = config.messageTimeoutMs;
  const claimed = await claimStuckDeliveries(timeoutMs + STUCK_MARGIN_MS, RECONCILE_BATCH);
  const tally: Reconciled = { settled: 0, unknown: 0, retry: 0 };
  const down = new Map<string, ProviderError>();
  for (const delivery of claimed) tally[await reconcileOne(delivery, timeoutMs, down)]++;
  return tally;
}

async function reconcileOne(delivery: MessageDelivery, timeoutMs: number, down: Map<string, ProviderError>): Promise<Verdict> {
  const fields = { deliveryId: delivery.id, provider: delivery.provider, channel: delivery.channel };
  try {
    let result: LookupResult;
    try {
      const failed = down.get(delivery.provider);
      if (failed) throw failed;
      result = await providerOf(delivery).lookup({
        deliveryId: delivery.id,
        channel: delivery.channel,
        to: delivery.to,
        providerMessageId: delivery.providerMessageId,
        startedAt: delivery.createdAt,
        signal: AbortSignal.timeout(timeoutMs),
        timeoutMs,
      });
    } catch (error) {
      if (error instanceof ProviderError) down.set(delivery.provider, error);
      throw error;
    }
    return await settle(delivery, result);
  } catch (error) {
    const hours = (Date.now() - delivery.createdAt.getTime()) / 3_600_000;
    if (hours < GIVE_UP_AFTER_HOURS) {
      log.warn("messaging.reconcile_retry", fields, error);
      return "retry";
    }
    const reason = error instanceof Error ? error.message : String(error);
    try {
      await settleDelivery(delivery.id, { status: UNKNOWN, error: `No answer about this message for ${GIVE_UP_AFTER_HOURS} hours; the last: ${reason}` });
    } catch (settleError) {
      log.error("messaging.reconcile_failed", fields, settleError);
      return "retry";
    }
    log.warn("messaging.reconcile_gave_up", fields, error);
    return "unknown";
  }
}

/** One match the provider has and no other delivery holds is this delivery; none or several, `unknown`. */
async function settle(delivery: MessageDelivery, result: LookupResult): Promise<Verdict> {
  const fields = { deliveryId: delivery.id, provider: delivery.provider, channel: delivery.channel };
  if ("cannotTell" in result) {
    await settleDelivery(delivery.id, { status: UNKNOWN, error: result.cannotTell });
    log.warn("messaging.reconciled_unknown", fields);
    return "unknown";
  }
  const ids = result.matches.flatMap((match) => (match.providerMessageId ? [match.providerMessageId] : []));
  const others = delivery.providerMessageId ? new Set<string>() : await heldByOthers(delivery.provider, ids, delivery.id);
  const candidates = result.matches.filter((match) => !match.providerMessageId || !others.has(match.providerMessageId));
  if (candidates.length !== 1) {
    const who = label(delivery.provider);
    const error =
      candidates.length === 0
        ? `${who} has no message that matches this delivery; it may never have been accepted.`
        : `${who} has ${candidates.length} messages to this recipient from the time of the send and none can be told to be this one.`;
    await settleDelivery(delivery.id, { status: UNKNOWN, error });
    log.warn("messaging.reconciled_unknown", { ...fields, matches: candidates.length });
    return "unknown";
  }
  const [match] = candidates;
  await settleDelivery(delivery.id, { status: match!.status, providerMessageId: match!.providerMessageId, error: match!.error });
  log.info("messaging.reconciled", { ...fields, status: match!.status });
  return "settled";
}
