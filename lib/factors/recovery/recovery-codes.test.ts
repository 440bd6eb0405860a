import * as crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { recoveryCodes } from "@/lib/db/schema";
import { keyedHash } from "@/lib/security/crypto";
import { auditEventsOf, createUser, meta, outboxTo } from "@/tests/helpers";
import { regenerateRecoveryCodes } from "../manage";
import { countRecoveryCodes, generateRecoveryCodes, newRecoveryCode, newRecoveryCodeSet, normalizeRecoveryCode, redeemRecoveryCode } from "./recovery-codes";

// Every scrypt call is counted (and still computed): the cost of a guess is what an attacker pays.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, scrypt: vi.fn(actual.scrypt) };
});
const scryptCalls = () => vi.mocked(crypto.scrypt).mock.calls.length;

/** Crockford base32 in lower case: digits and letters without i, l, o, u. */
const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;

async function userWithCodes() {
  const user = await createUser();
  const codes = await generateRecoveryCodes(db(), user.userId, meta);
  return { user, codes };
}

/** A fresh set in which some code satisfies `wanted` (regenerating as often as needed). */
async function codeWhere(userId: string, wanted: (code: string) => boolean): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = (await generateRecoveryCodes(db(), userId, meta)).find(wanted);
    if (found) return found;
  }
  throw new Error("no such code in 100 sets");
}

const redeem = (userId: string, input: string) => redeemRecoveryCode(db(), userId, input, meta);

describe("recovery codes: what the user gets", () => {
  it("are 10 distinct codes like k7fq-2m9x-tp4a: 12 Crockford base32 symbols (60 bits)", async () => {
    const { codes } = await userWithCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(CODE_FORMAT);
    expect(CROCKFORD).toHaveLength(32); // 5 bits a symbol × 12 symbols = 60 bits ≥ 50
  });

  it("use the whole 32-symbol alphabet, so every symbol carries 5 bits", () => {
    const seen = new Set(Array.from({ length: 400 }, newRecoveryCode).join("").replace(/-/g, ""));
    expect([...seen].sort().join("")).toBe(CROCKFORD);
  });

  it("are stored only as hashes: no code, in any form, is in the table", async () => {
    const { user, codes } = await userWithCodes();
    const rows = await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId));
    expect(rows).toHaveLength(10);
    const dump = JSON.stringify(rows).toLowerCase();
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ""));
    }
    expect(new Set(rows.map((row) => row.codeHash)).size).toBe(10);
  });

  it("countRecoveryCodes counts the unused codes", async () => {
    const { user, codes } = await userWithCodes();
    const other = await createUser();
    expect(await countRecoveryCodes(user.userId)).toBe(10);
    expect(await countRecoveryCodes(other.userId)).toBe(0);
    await redeem(user.userId, codes[0]!);
    await redeem(user.userId, codes[1]!);
    expect(await countRecoveryCodes(user.userId)).toBe(8);
  });
});

describe("recovery codes against a stolen database and key (NIST SP 800-63B §5.1.2.2)", () => {
  it("the stored value is no HMAC of the code under the server key: each code has its own salt through scrypt", async () => {
    const { user, codes } = await userWithCodes();
    const rows = await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId));
    const stored = new Set(rows.map((row) => row.codeHash));
    for (const code of codes) {
      // What an attacker holding the dump and TESSERA_SECRET computes to test a guess in one HMAC.
      expect(stored.has(keyedHash(code, "recovery-code"))).toBe(false);
      expect(stored.has(keyedHash(code.replace(/-/g, ""), "recovery-code"))).toBe(false);
    }
    for (const row of rows) expect(row.codeHash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(new Set(rows.map((row) => row.codeHash.split("$")[4])).size).toBe(10); // a salt per code
  });

  it("a guess costs exactly one scrypt — right, wrong, or with a selector that picks no row", async () => {
    const { user, codes } = await userWithCodes();
    const unusedSelector = [..."0123456789abcdefghjkmnpqrstvwxyz"].flatMap((a) => [a + "0", a + "1"]).find((s) => !codes.some((code) => code.startsWith(s)))!;
    await redeem(user.userId, `${unusedSelector}zz-zzzz-zzzz`); // the first miss in a process also hashes its stand-in once
    const guesses = [codes[0]!, `${codes[1]!.slice(0, 2)}zz-zzzz-zzzz`, `${unusedSelector}zz-zzzz-zzzz`, codes[0]!];
    for (const guess of guesses) {
      const before = scryptCalls();
      await redeem(user.userId, guess);
      expect(scryptCalls() - before, guess).toBe(1);
    }
  });

  it("no two codes of a set share a selector, so the selector always picks one row", async () => {
    for (let i = 0; i < 300; i++) {
      const set = newRecoveryCodeSet();
      expect(new Set(set.map((code) => code.slice(0, 2))).size).toBe(10);
    }
    const { user, codes } = await userWithCodes();
    const rows = await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId));
    expect(rows.map((row) => row.selector).sort()).toEqual(codes.map((code) => code.slice(0, 2)).sort());
  });

  it("codes issued before scrypt (HMAC, no selector) still redeem once, until the set is regenerated", async () => {
    const user = await createUser();
    const legacy = Array.from({ length: 10 }, newRecoveryCode);
    // Written the way the previous version wrote them.
    await db().insert(recoveryCodes).values(legacy.map((code) => ({ userId: user.userId, codeHash: keyedHash(code, "recovery-code") })));
    expect(await redeem(user.userId, legacy[2]!.toUpperCase())).toEqual({ remaining: 9 });
    expect(await redeem(user.userId, legacy[2]!)).toBeNull();
    expect(await redeem(user.userId, "zzzz-zzzz-zzzz")).toBeNull();
    expect((await auditEventsOf(user.userId, "recovery_codes.used")).map((event) => event.data)).toEqual([{ remaining: 9 }]);

    const fresh = await generateRecoveryCodes(db(), user.userId, meta);
    for (const code of legacy) expect(await redeem(user.userId, code)).toBeNull();
    expect((await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId))).every((row) => row.selector !== null)).toBe(true);
    expect(await redeem(user.userId, fresh[0]!)).toEqual({ remaining: 9 });
  });
});

describe("redeeming a recovery code", () => {
  it("works once, reports how many are left, and audits it", async () => {
    const { user, codes } = await userWithCodes();
    expect(await redeem(user.userId, codes[3]!)).toEqual({ remaining: 9 });
    expect(await redeem(user.userId, codes[3]!)).toBeNull();
    expect(await redeem(user.userId, codes[4]!)).toEqual({ remaining: 8 });
    const used = await auditEventsOf(user.userId, "recovery_codes.used");
    expect(used.map((event) => event.data)).toEqual([{ remaining: 9 }, { remaining: 8 }]);
  });

  it("accepts the code as people type it: upper case, without dashes, with spaces", async () => {
    const { user, codes } = await userWithCodes();
    const variants = [
      codes[0]!.toUpperCase(),
      codes[1]!.replace(/-/g, ""),
      codes[2]!.replace(/-/g, " "),
      ` ${codes[3]!.toUpperCase().replace(/-/g, "")} `,
      codes[4]!.replace(/-/g, "").replace(/(.{3})/g, "$1 "),
    ];
    for (const variant of variants) expect(await redeem(user.userId, variant), variant).not.toBeNull();
    // Each variant used its code: the canonical form is dead now.
    for (const code of codes.slice(0, 5)) expect(await redeem(user.userId, code)).toBeNull();
    expect(await countRecoveryCodes(user.userId)).toBe(5);
  });

  it("reads a typed o as zero and i or l as one", async () => {
    expect(normalizeRecoveryCode("K7FQ-2M9X-TP4A")).toBe("k7fq-2m9x-tp4a");
    expect(normalizeRecoveryCode("oOiI lL00 1111")).toBe("0011-1100-1111");

    const user = await createUser();
    const withZero = await codeWhere(user.userId, (code) => code.includes("0"));
    expect(await redeem(user.userId, withZero.replace(/0/g, "O"))).not.toBeNull();
    expect(await redeem(user.userId, withZero)).toBeNull();

    const withOne = await codeWhere(user.userId, (code) => code.includes("1"));
    expect(await redeem(user.userId, withOne.replace(/1/g, "l"))).not.toBeNull();
    expect(await redeem(user.userId, withOne.replace(/1/g, "I"))).toBeNull();
  });

  it("refuses wrong, empty and partial codes, and another user's code", async () => {
    const { user, codes } = await userWithCodes();
    const other = await userWithCodes();
    const last = codes[0]!.at(-1)!;
    const wrong = codes[0]!.slice(0, -1) + (last === "z" ? "y" : "z");
    expect(await redeem(user.userId, wrong)).toBeNull();
    expect(await redeem(user.userId, "")).toBeNull();
    expect(await redeem(user.userId, codes[0]!.slice(0, 9))).toBeNull();
    expect(await redeem(user.userId, other.codes[0]!)).toBeNull();
    expect(await countRecoveryCodes(user.userId)).toBe(10);
    expect(await countRecoveryCodes(other.user.userId)).toBe(10);
  });

  it("of 20 concurrent redemptions of one code, exactly one succeeds", async () => {
    const { user, codes } = await userWithCodes();
    const results = await Promise.all(Array.from({ length: 20 }, () => redeem(user.userId, codes[0]!)));
    expect(results.filter(Boolean)).toEqual([{ remaining: 9 }]);
    expect(await countRecoveryCodes(user.userId)).toBe(9);
    expect(await auditEventsOf(user.userId, "recovery_codes.used")).toHaveLength(1);
  });
});

describe("regenerating recovery codes", () => {
  it("kills the whole old set, used or not, and emails the user", async () => {
    const { user, codes: old } = await userWithCodes();
    await redeem(user.userId, old[0]!);
    const fresh = await regenerateRecoveryCodes(user.userId, meta);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => old.includes(code))).toBe(false);
    for (const code of old) expect(await redeem(user.userId, code)).toBeNull();
    expect(await countRecoveryCodes(user.userId)).toBe(10);
    expect(await redeem(user.userId, fresh[0]!)).toEqual({ remaining: 9 });
    expect(await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId))).toHaveLength(10);

    expect(await auditEventsOf(user.userId, "recovery_codes.generated")).toHaveLength(2);
    const mail = await outboxTo(user.email);
    expect(mail.map((m) => m.subject)).toContain("New recovery codes were generated");
  });
});
