import { and, eq, notInArray, sql } from "drizzle-orm";
import { db } from "@/lib/db";
import { messageDeliveries, type Channel } from "@/lib/db/schema";

/** A delivery row before the provider is called: status "sending". Returns its id. */
export async function startDelivery(input: { provider: string; channel: Channel; to: string }): Promise<string> {
  const [row] = await db()
    .insert(messageDeliveries)
    .values({ provider: input.provider, channel: input.channel, to: input.to, status: "sending" })
    .returning({ id: messageDeliveries.id });
  return row!.id;
}

/** The provider took the message: its id and the status it reported ("sent", "queued", …). */
export async function markAccepted(id: string, accepted: { providerMessageId: string; status: string }): Promise<void> {
  await db()
    .update(messageDeliveries)
    .set({ providerMessageId: accepted.providerMessageId, status: accepted.status, updatedAt: sql`now()` })
    .where(eq(messageDeliveries.id, id));
}

/** The provider refused or did not answer; `error` is already redacted. */
export async function markFailed(id: string, error: string): Promise<void> {
  await db()
    .update(messageDeliveries)
    .set({ status: "failed", error, updatedAt: sql`now()` })
    .where(eq(messageDeliveries.id, id));
}

/**
 * A later status the provider reported (a status callback), by the provider's message id.
 * `unlessFinal`: statuses this one must not overwrite (callbacks can arrive out of order).
 * Returns whether a delivery changed.
 */
export async function recordProviderStatus(input: {
  provider: string;
  providerMessageId: string;
  status: string;
  error?: string | null;
  unlessFinal?: string[];
}): Promise<boolean> {
  const rows = await db()
    .update(messageDeliveries)
    .set({ status: input.status, ...(input.error ? { error: input.error } : {}), updatedAt: sql`now()` })
    .where(
      and(
        eq(messageDeliveries.provider, input.provider),
        eq(messageDeliveries.providerMessageId, input.providerMessageId),
        input.unlessFinal?.length ? notInArray(messageDeliveries.status, input.unlessFinal) : undefined,
      ),
    )
    .returning({ id: messageDeliveries.id });
  return rows.length > 0;
}
