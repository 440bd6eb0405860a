import { randomInt } from "node:crypto";
import { and, count, eq, isNull } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { recoveryCodes } from "@/lib/db/schema";
import { keyedHash, matchesKeyedHash } from "@/lib/security/crypto";

export const RECOVERY_CODE_COUNT = 10;
// Crockford's base32 (no i, l, o, u): 12 symbols carry 60 bits, above the ≥ 50 asked, and
// a typed o, i or l is read as the digit it looks like.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUPS = 3;
const GROUP_LENGTH = 4;
const PURPOSE = "recovery-code";

/** `k7fq-2m9x-tp4a`: 12 characters from a CSPRNG, grouped for reading aloud or typing. */
export function newRecoveryCode(): string {
  const groups = Array.from({ length: GROUPS }, () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""));
  return groups.join("-");
}

/** What a person typed, reduced to the stored form: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const compact = input.toLowerCase().replace(/[\s-]/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
  return compact.match(/.{1,4}/g)?.join("-") ?? "";
}

/** Replaces the user's recovery codes with 10 new ones (the old ones die) and returns them. */
export async function generateRecoveryCodes(ex: Executor, userId: string, meta: RequestMeta): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await ex.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await ex.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: keyedHash(code, PURPOSE) })));
  await recordAudit(ex, { type: "recovery_codes.generated", userId, ...meta });
  return codes;
}

/**
 * Uses one recovery code: compared in constant time against the user's unused codes, then
 * consumed with a conditional UPDATE, so of concurrent requests with one code exactly one
 * wins. Returns how many codes are left, or null when the code is not valid.
 */
export async function redeemRecoveryCode(ex: Executor, userId: string, input: string, meta: RequestMeta): Promise<{ remaining: number } | null> {
  const code = normalizeRecoveryCode(input);
  const unused = await ex
    .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.consumedAt)));
  let match: string | undefined;
  for (const row of unused) if (matchesKeyedHash(code, row.codeHash, PURPOSE)) match = row.id;
  if (!match) return null;
  const consumed = await consumeOnce(ex, recoveryCodes, eq(recoveryCodes.id, match));
  if (!consumed) return null;
  const remaining = await countRecoveryCodes(userId, ex);
  await recordAudit(ex, { type: "recovery_codes.used", userId, data: { remaining }, ...meta });
  return { remaining };
}

export async function countRecoveryCodes(userId: string, ex: Executor = db()): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.consumedAt)));
  return row?.n ?? 0;
}
