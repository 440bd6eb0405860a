import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { apiIdempotency } from "@/lib/db/schema";

export const IDEMPOTENCY_TTL_HOURS = 24;
/** What a request may spend besides its one provider call: database work, a busy event loop. */
const ABANDON_MARGIN_SECONDS = 60;

/**
 * A request still "in progress" after this long died with its process, and its key is free
 * again rather than stuck for a day. Never sooner than the provider's timeout plus a margin:
 * a claim freed while its send is still running would let a retry send a second message
 * (60 s of a possible 60 s timeout read as "abandoned" before).
 */
export function abandonedAfterSeconds(messageTimeoutMs: number = config.messageTimeoutMs): number {
  return Math.ceil(messageTimeoutMs / 1000) + ABANDON_MARGIN_SECONDS;
}
/** Printable ASCII, 1–255 characters: what fits in a header unchanged everywhere. */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export const IDEMPOTENCY_KEY_MESSAGE = "The Idempotency-Key header must be 1 to 255 printable ASCII characters, such as a UUID.";

export function isValidIdempotencyKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** What identifies a request for replay: the validated input, so key order and spacing do not matter. */
export function requestHash(input: unknown): string {
  return createHash("sha256").update(JSON.stringify(input)).digest("base64url");
}

export type StoredAnswer = { status: number; body: unknown };

export type IdempotentOutcome<A extends StoredAnswer> =
  | { kind: "fresh"; answer: A }
  | { kind: "replayed"; answer: StoredAnswer }
  | { kind: "conflict"; code: "idempotency_key_reused" | "idempotency_in_progress" };

/** 429 and 5xx answers say "try again": a retry with the same key must really run again. */
const storable = (status: number) => status !== 429 && status < 500;

/**
 * Runs `run` once per (API key, Idempotency-Key) for 24 hours. The key is claimed with one
 * INSERT … ON CONFLICT DO NOTHING, so of concurrent requests with one key exactly one runs;
 * the others get `idempotency_in_progress` until its answer is stored, then the answer.
 * The same key with another request is `idempotency_key_reused`. Answers that invite a
 * retry (429, 5xx) and thrown errors free the key instead of being stored.
 */
export async function withIdempotency<A extends StoredAnswer>(
  apiKeyId: string,
  key: string,
  hash: string,
  run: () => Promise<A>,
): Promise<IdempotentOutcome<A>> {
  const existing = await claim(apiKeyId, key, hash);
  if (existing) {
    if (existing.requestHash !== hash) return { kind: "conflict", code: "idempotency_key_reused" };
    if (existing.status === null) return { kind: "conflict", code: "idempotency_in_progress" };
    return { kind: "replayed", answer: { status: existing.status, body: existing.body } };
  }

  const mine = and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key));
  let answer: A;
  try {
    answer = await run();
  } catch (error) {
    await db().delete(apiIdempotency).where(mine);
    throw error;
  }
  if (storable(answer.status)) {
    await db().update(apiIdempotency).set({ status: answer.status, body: answer.body }).where(mine);
  } else {
    await db().delete(apiIdempotency).where(mine);
  }
  return { kind: "fresh", answer };
}

type Existing = { requestHash: string; status: number | null; body: unknown };

/** Claims the key (null) or returns the live row that holds it. Expired and abandoned rows are cleared first. */
async function claim(apiKeyId: string, key: string, hash: string): Promise<Existing | null> {
  const expired = sql`now() - (${IDEMPOTENCY_TTL_HOURS} * interval '1 hour')`;
  const abandoned = sql`now() - (${abandonedAfterSeconds()} * interval '1 second')`;
  // This exact key, if its answer is older than a day or its request died: one primary-key probe.
  await db()
    .delete(apiIdempotency)
    .where(
      and(
        eq(apiIdempotency.apiKeyId, apiKeyId),
        eq(apiIdempotency.key, key),
        sql`(${apiIdempotency.createdAt} < ${expired} or (${apiIdempotency.status} is null and ${apiIdempotency.createdAt} < ${abandoned}))`,
      ),
    );
  // Everyone's answers past the day: a range scan of the created_at index that touches only
  // expired rows (usually none), so the table stays one day deep without a scheduled job.
  await db().delete(apiIdempotency).where(lt(apiIdempotency.createdAt, expired));
  const [inserted] = await db()
    .insert(apiIdempotency)
    .values({ apiKeyId, key, requestHash: hash })
    .onConflictDoNothing()
    .returning({ key: apiIdempotency.key });
  if (inserted) return null;
  const [row] = await db()
    .select({ requestHash: apiIdempotency.requestHash, status: apiIdempotency.status, body: apiIdempotency.body })
    .from(apiIdempotency)
    .where(and(eq(apiIdempotency.apiKeyId, apiKeyId), eq(apiIdempotency.key, key)));
  // Freed between the INSERT and this read (the first request got a 429 or failed): it is
  // still in flight as far as this request can tell; the client's retry will claim it.
  return row ?? { requestHash: hash, status: null, body: null };
}
