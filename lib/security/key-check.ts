import "server-only";
import { createHmac } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/lib/db";
import { keyCheck } from "@/lib/db/schema";
import { log } from "@/lib/log";
import { derivePreviousKey, deriveKey, masterSecretSource } from "./secret";

const PURPOSE = "key-check";
const LABEL = "tessera: the key this database's data is sealed with";

/** An HMAC of a fixed label under a key of its own: says which secret it came from, and nothing that opens data. */
function checkValue(key: Buffer): string {
  return createHmac("sha256", key).update(LABEL).digest("base64url");
}

/**
 * Compares the master secret with the one the database's data was sealed with, at every
 * start. Each instance on one PostgreSQL (or a container whose disk went with it) that has a
 * key of its own would otherwise refuse every right code, TOTP secret and recovery code of
 * the others, and say nothing; the first start records the check value, and a start with
 * another key stops with what to do.
 *
 * During a rotation (TESSERA_SECRET_PREVIOUS set to the recorded secret) the start goes on and
 * the record moves to the new secret: from then on only the new one starts, which is what
 * the data needs once it is re-sealed.
 */
export async function checkKeyAgainstDatabase(ex: Executor): Promise<void> {
  const current = checkValue(deriveKey(PURPOSE));
  // Two instances starting together: one insert wins, and the other compares with it.
  await ex.insert(keyCheck).values({ value: current }).onConflictDoNothing();
  const [row] = await ex.select({ value: keyCheck.value }).from(keyCheck).where(eq(keyCheck.id, 1));
  if (row?.value === current) return;

  const previousKey = derivePreviousKey(PURPOSE);
  const previous = previousKey && checkValue(previousKey);
  if (previous && row?.value === previous) {
    await ex.update(keyCheck).set({ value: current, updatedAt: sql`now()` }).where(eq(keyCheck.value, previous));
    log.info("security.key_check_rotated");
    return;
  }
  throw new Error(
    `${masterSecretSource()} is not the secret this database's data was sealed with${previous ? ", nor is TESSERA_SECRET_PREVIOUS" : ""}: ` +
      "with it every right code, TOTP secret and recovery code would be refused. " +
      "Set TESSERA_SECRET to the secret the other instances use (or the first start used), the same on every instance. " +
      "To change the secret, set the new one as TESSERA_SECRET and the old one as TESSERA_SECRET_PREVIOUS (README, \"Rotating it\").",
  );
}
