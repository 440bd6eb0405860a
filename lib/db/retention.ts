import "server-only";
import { inArray, lt, sql } from "drizzle-orm";
import { log } from "@/lib/log";
import { reconcileDeliveries, type Reconciled } from "@/lib/messaging/reconcile";
import { db } from "./index";
import { messageDeliveries, outbox, rateLimits, verifications } from "./schema";

/**
 * How long rows that only grow are kept. Verifications and deliveries hold people's phone
 * numbers and addresses: kept long enough to answer "did my user get the code?", not longer.
 * The outbox holds whole messages, codes included (development and demos only).
 */
export const RETENTION = {
  verificationsDays: 30,
  deliveriesDays: 90,
  outboxDays: 7,
  /** A window that ended this long ago counts nothing any more (`rateLimit` restarts it). */
  rateLimitHours: 1,
} as const;

/** Rows deleted per table per run: a backlog goes over several runs, never as one long statement. */
const BATCH = 1000;

type Pruned = { verifications: number; deliveries: number; outbox: number; rateLimits: number };

const ago = (amount: number, unit: "day" | "hour") => sql`now() - (${amount} * interval '1 ${sql.raw(unit)}')`;

/** Deletes one batch of every kind of expired row; returns how many went. */
export async function pruneExpired(): Promise<Pruned> {
  // Each: one index range scan over the expired rows only, at most BATCH of them.
  const oldVerifications = db()
    .select({ id: verifications.id })
    .from(verifications)
    .where(lt(verifications.createdAt, ago(RETENTION.verificationsDays, "day")))
    .limit(BATCH);
  const oldDeliveries = db()
    .select({ id: messageDeliveries.id })
    .from(messageDeliveries)
    .where(lt(messageDeliveries.createdAt, ago(RETENTION.deliveriesDays, "day")))
    .limit(BATCH);
  const oldMessages = db().select({ id: outbox.id }).from(outbox).where(lt(outbox.createdAt, ago(RETENTION.outboxDays, "day"))).limit(BATCH);
  const oldWindows = db()
    .select({ key: rateLimits.key })
    .from(rateLimits)
    .where(lt(rateLimits.resetAt, ago(RETENTION.rateLimitHours, "hour")))
    .limit(BATCH);
  return {
    verifications: (await db().delete(verifications).where(inArray(verifications.id, oldVerifications)).returning({ id: verifications.id })).length,
    deliveries: (await db().delete(messageDeliveries).where(inArray(messageDeliveries.id, oldDeliveries)).returning({ id: messageDeliveries.id })).length,
    outbox: (await db().delete(outbox).where(inArray(outbox.id, oldMessages)).returning({ id: outbox.id })).length,
    rateLimits: (await db().delete(rateLimits).where(inArray(rateLimits.key, oldWindows)).returning({ key: rateLimits.key })).length,
  };
}

export type RetentionPass = { pruned: Pruned | null; reconciled: Reconciled | null };

/**
 * One background pass: prunes a batch of expired rows, then settles a batch of half-finished
 * sends (lib/messaging/reconcile.ts). Never throws: a part that fails is logged and null,
 * and the next pass tries again. Run by lib/db/maintenance.ts, at most once a minute.
 */
export async function runRetentionPass(): Promise<RetentionPass> {
  const pruned = await pruneExpired().catch((error: unknown) => {
    log.error("retention.prune_failed", {}, error);
    return null;
  });
  const reconciled = await reconcileDeliveries().catch((error: unknown) => {
    log.error("retention.reconcile_failed", {}, error);
    return null;
  });
  return { pruned, reconciled };
}
