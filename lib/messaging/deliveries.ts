import "server-only";
import { and, asc, eq, inArray, lt, ne, notInArray, sql } from "drizzle-orm";
import { db, type Executor } from "@/lib/db";
import { creditLedger, messageDeliveries, type Channel, type MessageDelivery } from "@/lib/db/schema";

/**
 * A delivery row before the provider is called: status "sending". Returns its id. A paid
 * message's ledger row (`ledgerId`, reserved by lib/teams/credits.ts `withCredit`) gets the
 * delivery's id in the same transaction: the debit names its message before anything goes
 * out, so no fault after the provider's answer can leave it unnamed.
 */
export async function startDelivery(input: { provider: string; channel: Channel; to: string; ledgerId?: string }): Promise<string> {
  const write = async (ex: Executor) => {
    const [row] = await ex
      .insert(messageDeliveries)
      .values({ provider: input.provider, channel: input.channel, to: input.to, status: "sending" })
      .returning({ id: messageDeliveries.id });
    if (input.ledgerId) await ex.update(creditLedger).set({ messageId: row!.id }).where(eq(creditLedger.id, input.ledgerId));
    return row!.id;
  };
  return input.ledgerId ? db().transaction(write) : write(db());
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

/**
 * Takes up to `limit` deliveries that have been "sending" for longer than `stuckMs` since
 * their last touch, oldest first, and touches them: one statement, rows locked by another
 * instance's claim skipped, so two instances never ask a provider about the same delivery,
 * and one that is retried waits `stuckMs` again.
 */
export async function claimStuckDeliveries(stuckMs: number, limit: number): Promise<MessageDelivery[]> {
  const due = db()
    .select({ id: messageDeliveries.id })
    .from(messageDeliveries)
    .where(and(eq(messageDeliveries.status, "sending"), lt(messageDeliveries.updatedAt, sql`now() - (${stuckMs} * interval '1 millisecond')`)))
    .orderBy(asc(messageDeliveries.updatedAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db()
    .update(messageDeliveries)
    .set({ updatedAt: sql`now()` })
    .where(and(inArray(messageDeliveries.id, due), eq(messageDeliveries.status, "sending")))
    .returning();
}

/** The reconciler's verdict on a delivery still "sending" (a status callback that came first wins). */
export async function settleDelivery(id: string, outcome: { status: string; providerMessageId?: string | null; error: string | null }): Promise<void> {
  await db()
    .update(messageDeliveries)
    .set({
      status: outcome.status,
      error: outcome.error,
      ...(outcome.providerMessageId ? { providerMessageId: outcome.providerMessageId } : {}),
      updatedAt: sql`now()`,
    })
    .where(and(eq(messageDeliveries.id, id), eq(messageDeliveries.status, "sending")));
}

/** Which of these provider ids another delivery already holds: those messages are not this one. */
export async function heldByOthers(provider: string, providerMessageIds: string[], exceptId: string): Promise<Set<string>> {
  if (providerMessageIds.length === 0) return new Set();
  const rows = await db()
    .select({ providerMessageId: messageDeliveries.providerMessageId })
    .from(messageDeliveries)
    .where(
      and(
        eq(messageDeliveries.provider, provider),
        inArray(messageDeliveries.providerMessageId, providerMessageIds),
        ne(messageDeliveries.id, exceptId),
      ),
    );
  return new Set(rows.map((row) => row.providerMessageId!));
}
