import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recoveryCodes } from "@/lib/db/schema";
import { auditEventsOf, createUser, meta, outboxTo } from "@/tests/helpers";
import { regenerateRecoveryCodes } from "./manage";
import { countRecoveryCodes, generateRecoveryCodes, newRecoveryCode, normalizeRecoveryCode, redeemRecoveryCode } from "./recovery-codes";

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

  it("are stored only as keyed hashes: no code, in any form, is in the table", async () => {
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
