import { and, eq, sql } from "drizzle-orm";
import { db, type Executor } from "@/lib/db";
import { rateLimits } from "@/lib/db/schema";

export type Window = { limit: number; windowSeconds: number };
/** One counted event: its key and the end of the window it was counted in (exact, as text). */
export type Counted = { key: string; window: string };
export type LimitResult = { allowed: boolean; count: number; retryAfterSeconds: number; counted: Counted };

const secondsUntil = (date: Date, now: Date) => Math.max(1, Math.ceil((date.getTime() - now.getTime()) / 1000));

/**
 * Counts one event for `key` in a fixed window and says whether it is within `limit`.
 * One upsert statement, so concurrent requests in any process count exactly.
 */
export async function rateLimit(key: string, { limit, windowSeconds }: Window, ex: Executor = db()): Promise<LimitResult> {
  const window = sql`now() + (${windowSeconds} * interval '1 second')`;
  const expired = sql`${rateLimits.resetAt} <= now()`;
  const [row] = await ex
    .insert(rateLimits)
    .values({ key, count: 1, resetAt: window })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${expired} then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${expired} then ${window} else ${rateLimits.resetAt} end`,
      },
    })
    .returning({
      count: rateLimits.count,
      resetAt: rateLimits.resetAt,
      // Microseconds kept: `giveBack` must find this very window, not one that began since.
      window: sql<string>`${rateLimits.resetAt}::text`,
      now: sql<Date>`now()`.mapWith(toDate),
    });
  const { count, resetAt, window: end, now } = row!;
  return { allowed: count <= limit, count, retryAfterSeconds: count <= limit ? 0 : secondsUntil(resetAt, now), counted: { key, window: end } };
}

/**
 * Takes back events counted by `rateLimit` for something that did not happen after all (a
 * message the provider failed to send): each key loses one, but only in the window it was
 * counted in — a window that has ended since is left alone, and a count never goes below 0.
 */
export async function giveBack(counted: Counted[], ex: Executor = db()): Promise<void> {
  for (const { key, window } of counted) {
    await ex
      .update(rateLimits)
      .set({ count: sql`${rateLimits.count} - 1` })
      .where(and(eq(rateLimits.key, key), sql`${rateLimits.resetAt} = ${window}::timestamptz`, sql`${rateLimits.count} > 0`));
  }
}

/** The current count for `key` without counting anything (0 when its window has passed). */
export async function peekRateLimit(key: string, ex: Executor = db()): Promise<{ count: number; retryAfterSeconds: number }> {
  const [row] = await ex
    .select({ count: rateLimits.count, resetAt: rateLimits.resetAt, now: sql<Date>`now()`.mapWith(toDate) })
    .from(rateLimits)
    .where(eq(rateLimits.key, key));
  if (!row || row.resetAt <= row.now) return { count: 0, retryAfterSeconds: 0 };
  return { count: row.count, retryAfterSeconds: secondsUntil(row.resetAt, row.now) };
}

export async function clearRateLimit(key: string, ex: Executor = db()): Promise<void> {
  await ex.delete(rateLimits).where(eq(rateLimits.key, key));
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
