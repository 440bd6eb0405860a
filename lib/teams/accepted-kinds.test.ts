import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { factorKindEnum, teams, type FactorKind } from "@/lib/db/schema";
import { acceptedKinds, acceptedKindsSql, acceptsKind, type KindsPolicy } from "./accepted-kinds";

// The database's own list of kinds, so a kind added to the enum is covered without touching this file.
const KINDS: readonly FactorKind[] = factorKindEnum.enumValues;

/** Every non-empty subset of the kinds (the column's CHECK refuses an empty one). */
const subsets: FactorKind[][] = Array.from({ length: 2 ** KINDS.length - 1 }, (_, mask) => KINDS.filter((_, i) => (mask + 1) & (1 << i)));
const policies: KindsPolicy[] = subsets.flatMap((allowedMethods) => [false, true].map((smsBackupOnly) => ({ allowedMethods, smsBackupOnly })));

describe("the accepted-kinds rule in TypeScript and in SQL", () => {
  it("agree for every allowed set, with and without SMS as a backup only, on every factor kind", async () => {
    // Real team rows: the SQL twin reads the columns it reads in production (jsonb and boolean).
    await db()
      .insert(teams)
      .values(policies.map((policy, i) => ({ name: String(i), allowedMethods: [...policy.allowedMethods], smsBackupOnly: policy.smsBackupOnly })));
    const accepted = acceptedKindsSql(teams.allowedMethods, teams.smsBackupOnly);
    // As text[]: the drivers hand an enum array back as its literal ("{totp}").
    const acceptedList = sql<FactorKind[]>`(${accepted})::text[]`;
    // Each kind tested the way the queries use the array: `kind = any(accepted)`.
    const perKind = Object.fromEntries(KINDS.map((kind) => [kind, sql<boolean>`${kind}::factor_kind = any(${accepted})`]));
    const rows = await db()
      .select({ name: teams.name, accepted: acceptedList, ...perKind })
      .from(teams);
    expect(rows).toHaveLength(policies.length);

    let checked = 0;
    for (const row of rows) {
      const policy = policies[Number(row.name)]!;
      expect(row.accepted, JSON.stringify(policy)).toEqual(acceptedKinds(policy));
      for (const kind of KINDS) {
        expect((row as unknown as Record<FactorKind, boolean>)[kind], `${kind} under ${JSON.stringify(policy)}`).toBe(acceptsKind(policy, kind));
        checked += 1;
      }
    }
    expect(checked).toBe((2 ** KINDS.length - 1) * 2 * KINDS.length);
  });

  it("drops SMS only while it is a backup only", () => {
    expect(acceptedKinds({ allowedMethods: ["totp", "sms"], smsBackupOnly: true })).toEqual(["totp"]);
    expect(acceptedKinds({ allowedMethods: ["totp", "sms"], smsBackupOnly: false })).toEqual(["totp", "sms"]);
    expect(acceptsKind({ allowedMethods: ["sms"], smsBackupOnly: true }, "sms")).toBe(false);
  });
});
