import "server-only";
import { sql } from "drizzle-orm";
import type { Tx } from "./client";
import { users } from "./schema";

/**
 * Serialises changes to one user's security state for the rest of the transaction.
 * NO KEY UPDATE: foreign-key checks on the user's other rows (which take KEY SHARE) do not
 * conflict with it, so it cannot deadlock against them.
 */
export async function lockUser(tx: Tx, userId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${users} where ${users.id} = ${userId} for no key update`);
}
