import { randomBytes, randomInt } from "node:crypto";
import { and, count, eq, isNull, or } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { recoveryCodes } from "@/lib/db/schema";
import { matchesKeyedHash } from "@/lib/security/crypto";
import { scryptHash, scryptVerify } from "@/lib/security/kdf";
import { revokeTrustedDevices } from "../trusted-devices";

export const RECOVERY_CODE_COUNT = 10;
// Crockford's base32 (no i, l, o, u): 12 symbols carry 60 bits, and a typed o, i or l is
// read as the digit it looks like.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUPS = 3;
const GROUP_LENGTH = 4;
const CODE = new RegExp(`^[${ALPHABET}]{${GROUPS * GROUP_LENGTH}}$`);

/**
 * The first two symbols of a code are its selector: stored in the clear, they pick the one
 * row to check, so a guess costs one KDF, not ten. Two symbols (1,024 values) are enough to
 * keep a set of ten apart (newRecoveryCodeSet redraws a clash) and leave 10 symbols — 50
 * bits — secret, where a whole 4-symbol group would leave 40.
 */
const SELECTOR_LENGTH = 2;

/**
 * scrypt N=2^14, r=8, p=1: 16 MiB and about 40–80 ms per hash on this 2-core machine
 * (measured 2026-12-02, under the load of parallel builds; a set of ten is hashed in
 * parallel on libuv's pool). NIST SP 800-63B §5.1.2.2 asks look-up secrets under 112 bits
 * to be salted and hashed through a KDF: with the database *and* TESSERA_SECRET in hand,
 * each guess at one code still costs one 16 MiB scrypt, over 2^50 candidates. Lower than
 * passwords' 2^15 because a code carries 50 random bits, which no password does, and
 * enrollment hashes ten at once. No server key is mixed in, so rotating TESSERA_SECRET
 * leaves codes valid and a guess never needs a second KDF under the previous key.
 */
const KDF = { N: 2 ** 14, r: 8, p: 1 };

/**
 * Codes issued before scrypt (selector NULL) hold an HMAC-SHA-256 under the server key of
 * the dashed form. They keep working until used or replaced by a new set; nothing else
 * hashes this way any more.
 */
const LEGACY_HMAC_PURPOSE = "recovery-code";
const matchesLegacyHmacCode = (code: string, stored: string) => matchesKeyedHash(code, stored, LEGACY_HMAC_PURPOSE);

/** `k7fq-2m9x-tp4a`: 12 characters from a CSPRNG, grouped for reading aloud or typing. */
export function newRecoveryCode(): string {
  const groups = Array.from({ length: GROUPS }, () => Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""));
  return groups.join("-");
}

/** Ten codes whose selectors all differ: a selector always names one row of the user's set. */
export function newRecoveryCodeSet(): string[] {
  const bySelector = new Map<string, string>();
  while (bySelector.size < RECOVERY_CODE_COUNT) {
    const code = newRecoveryCode();
    if (!bySelector.has(selectorOf(code))) bySelector.set(selectorOf(code), code);
  }
  return [...bySelector.values()];
}

/** What a person typed, reduced to the stored form: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const compact = input.toLowerCase().replace(/[\s-]/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
  return compact.match(/.{1,4}/g)?.join("-") ?? "";
}

const compactCode = (code: string) => code.replace(/-/g, "");
const selectorOf = (code: string) => compactCode(code).slice(0, SELECTOR_LENGTH);
const hashRecoveryCode = (code: string) => scryptHash(compactCode(code), KDF);

/** Checked when no row has the guessed selector, so a guess costs (and takes) one KDF either way. */
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashRecoveryCode(randomBytes(8).toString("hex")));

/** Replaces the user's recovery codes with 10 new ones (the old ones die, legacy ones too) and returns them. */
export async function generateRecoveryCodes(ex: Executor, userId: string, meta: RequestMeta): Promise<string[]> {
  const codes = newRecoveryCodeSet();
  const hashes = await Promise.all(codes.map(hashRecoveryCode));
  await ex.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await ex.insert(recoveryCodes).values(codes.map((code, i) => ({ userId, selector: selectorOf(code), codeHash: hashes[i]! })));
  await recordAudit(ex, { type: "recovery_codes.generated", userId, ...meta });
  return codes;
}

/**
 * Uses one recovery code: the selector picks the row, one scrypt checks it (compared in
 * constant time), then a conditional UPDATE consumes it, so of concurrent requests with one
 * code exactly one wins. A used code also signs out every remembered device: whoever needs
 * a recovery code may have lost a device that was remembered. Returns how many codes are
 * left, or null when the code is not valid. Attempts are limited by the caller (the sign-in
 * challenge and step-up count failures per challenge and per account).
 */
export async function redeemRecoveryCode(ex: Executor, userId: string, input: string, meta: RequestMeta): Promise<{ remaining: number } | null> {
  const code = normalizeRecoveryCode(input);
  if (!CODE.test(compactCode(code))) return null; // not the shape of a code: nothing to look up
  const selector = selectorOf(code);
  const rows = await ex
    .select({ id: recoveryCodes.id, selector: recoveryCodes.selector, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.consumedAt), or(eq(recoveryCodes.selector, selector), isNull(recoveryCodes.selector))));
  const candidate = rows.find((row) => row.selector === selector);
  const kdfMatch = await scryptVerify(candidate?.codeHash ?? (await dummyHash()), compactCode(code));
  let match = candidate && kdfMatch ? candidate.id : undefined;
  for (const row of rows) if (row.selector === null && matchesLegacyHmacCode(code, row.codeHash)) match = row.id;
  if (!match) return null;
  const consumed = await consumeOnce(ex, recoveryCodes, eq(recoveryCodes.id, match));
  if (!consumed) return null;
  const remaining = await countRecoveryCodes(userId, ex);
  await recordAudit(ex, { type: "recovery_codes.used", userId, data: { remaining }, ...meta });
  await revokeTrustedDevices(ex, userId, meta, { reason: "recovery_code" });
  return { remaining };
}

export async function countRecoveryCodes(userId: string, ex: Executor = db()): Promise<number> {
  const [row] = await ex
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.consumedAt)));
  return row?.n ?? 0;
}
