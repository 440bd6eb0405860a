import "server-only";
import { and, isNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "./client";
import { emailLinks, invitations, otpCodes, passwordResets, recoveryCodes, signInChallenges, webauthnChallenges } from "./schema";

/** Tables whose rows are single-use: each has a nullable `consumed_at`. */
type Consumable =
  | typeof signInChallenges
  | typeof recoveryCodes
  | typeof otpCodes
  | typeof webauthnChallenges
  | typeof passwordResets
  | typeof invitations
  | typeof emailLinks;

/**
 * Marks one row consumed and returns it, or null if none matches or it was already used.
 * A single conditional UPDATE … WHERE consumed_at IS NULL RETURNING: of any number of
 * concurrent callers, exactly one gets the row.
 */
export async function consumeOnce<T extends Consumable>(ex: Executor, table: T, where: SQL): Promise<T["$inferSelect"] | null> {
  const rows = (await ex
    .update(table as typeof signInChallenges)
    .set({ consumedAt: sql`now()` })
    .where(and(where, isNull((table as typeof signInChallenges).consumedAt)))
    .returning()) as T["$inferSelect"][];
  return rows[0] ?? null;
}
