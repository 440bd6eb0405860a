import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, creditLedger, memberships, teams, type Role } from "@/lib/db/schema";
import { createUser, meta } from "@/tests/helpers";
import { addCredits, CREDIT_MESSAGES, creditBalance, debitCredit, listLedger } from "./credits";

async function join(teamId: string, userId: string, role: Role) {
  await db().insert(memberships).values({ teamId, userId, role });
}

async function setBalance(teamId: string, balance: number) {
  await db().update(teams).set({ creditBalance: balance }).where(eq(teams.id, teamId));
}

const ledgerOf = (teamId: string) => db().select().from(creditLedger).where(eq(creditLedger.teamId, teamId)).orderBy(asc(creditLedger.seq));
const topUpEvents = (teamId: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "credits.added")));

describe("debitCredit", () => {
  it("a new team starts with 50 credits; a debit spends one and records the message", async () => {
    const { teamId } = await createUser();
    expect(await creditBalance(teamId)).toBe(50);
    const messageId = randomUUID();
    const result = await db().transaction((tx) => debitCredit(tx, { teamId, reason: "sms", messageId }));
    expect(result).toEqual({ ok: true, balance: 49 });
    expect(await ledgerOf(teamId)).toMatchObject([{ delta: -1, reason: "sms", messageId, balanceAfter: 49, actorId: null }]);
  });

  it("at 0 credits refuses with NO_CREDITS and writes nothing", async () => {
    const { teamId } = await createUser();
    await setBalance(teamId, 0);
    const result = await db().transaction((tx) => debitCredit(tx, { teamId, reason: "voice", messageId: randomUUID() }));
    expect(result).toEqual({ ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS });
    expect(await creditBalance(teamId)).toBe(0);
    expect(await ledgerOf(teamId)).toHaveLength(0);
  });

  it("a debit rolled back with the send's transaction leaves balance and ledger untouched", async () => {
    const { teamId } = await createUser();
    await expect(
      db().transaction(async (tx) => {
        await debitCredit(tx, { teamId, reason: "sms", messageId: randomUUID() });
        throw new Error("provider failed");
      }),
    ).rejects.toThrow("provider failed");
    expect(await creditBalance(teamId)).toBe(50);
    expect(await ledgerOf(teamId)).toHaveLength(0);
  });

  it("20 concurrent debits at balance 10: exactly 10 succeed, balance 0, a consistent ledger", async () => {
    const { teamId } = await createUser();
    await setBalance(teamId, 10);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db().transaction((tx) => debitCredit(tx, { teamId, reason: i % 2 ? "sms" : "voice", messageId: randomUUID() })),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "NO_CREDITS")).toBe(true);
    expect(await creditBalance(teamId)).toBe(0);

    const ledger = await ledgerOf(teamId);
    expect(ledger).toHaveLength(10);
    expect(ledger.map((row) => row.balanceAfter)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(new Set(ledger.map((row) => row.messageId)).size).toBe(10);
    const okBalances = results.flatMap((r) => (r.ok ? [r.balance] : [])).sort((a, b) => a - b);
    expect(okBalances).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("addCredits", () => {
  it("an owner adds credits: balance, a top-up ledger row and an audit event", async () => {
    const owner = await createUser();
    const result = await addCredits(owner.teamId, { id: owner.userId }, 25, meta);
    expect(result).toEqual({ ok: true, balance: 75 });
    expect(await ledgerOf(owner.teamId)).toMatchObject([{ delta: 25, reason: "top_up", actorId: owner.userId, balanceAfter: 75, messageId: null }]);
    const [event] = await topUpEvents(owner.teamId);
    expect(event).toMatchObject({ actorId: owner.userId, ip: meta.ip, data: { amount: 25, balance: 75 } });
  });

  it.each([
    ["negative", -5],
    ["zero", 0],
    ["huge", 100_001],
    ["non-integer", 2.5],
    ["not a number", "10"],
    ["NaN", Number.NaN],
    ["infinite", Number.POSITIVE_INFINITY],
  ])("refuses a %s amount and changes nothing", async (_name, amount) => {
    const owner = await createUser();
    const result = await addCredits(owner.teamId, { id: owner.userId }, amount, meta);
    expect(result).toEqual({ ok: false, code: "INVALID_AMOUNT", message: "Enter a whole number of credits from 1 to 100,000." });
    expect(await creditBalance(owner.teamId)).toBe(50);
    expect(await ledgerOf(owner.teamId)).toHaveLength(0);
    expect(await topUpEvents(owner.teamId)).toHaveLength(0);
  });

  it("accepts the largest top-up, and refuses one that would overflow the balance", async () => {
    const owner = await createUser();
    expect(await addCredits(owner.teamId, { id: owner.userId }, 100_000, meta)).toEqual({ ok: true, balance: 100_050 });
    await setBalance(owner.teamId, 2_147_483_000);
    expect(await addCredits(owner.teamId, { id: owner.userId }, 1_000, meta)).toMatchObject({ ok: false, code: "BALANCE_LIMIT" });
    expect(await creditBalance(owner.teamId)).toBe(2_147_483_000);
  });

  it.each(["admin", "member"] as const)("an %s of the team cannot add credits", async (role) => {
    const owner = await createUser();
    const other = await createUser();
    await join(owner.teamId, other.userId, role);
    const result = await addCredits(owner.teamId, { id: other.userId }, 10, meta);
    expect(result).toEqual({ ok: false, code: "FORBIDDEN", message: CREDIT_MESSAGES.FORBIDDEN });
    expect(await creditBalance(owner.teamId)).toBe(50);
    expect(await ledgerOf(owner.teamId)).toHaveLength(0);
  });

  it("the owner of another team cannot add credits here", async () => {
    const a = await createUser();
    const b = await createUser();
    expect(await addCredits(b.teamId, { id: a.userId }, 10, meta)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await creditBalance(b.teamId)).toBe(50);
  });

  it("the balance never goes negative, even written directly", async () => {
    const { teamId } = await createUser();
    await expect(setBalance(teamId, -1)).rejects.toThrow();
  });
});

describe("listLedger", () => {
  it("pages newest first with a cursor", async () => {
    const owner = await createUser();
    for (let i = 1; i <= 5; i++) await addCredits(owner.teamId, { id: owner.userId }, i, meta);
    await db().transaction((tx) => debitCredit(tx, { teamId: owner.teamId, reason: "sms", messageId: randomUUID() }));

    const first = await listLedger(owner.teamId, { limit: 4 });
    expect(first.entries.map((e) => e.delta)).toEqual([-1, 5, 4, 3]);
    expect(first.entries[0]!.balanceAfter).toBe(64);
    expect(first.nextCursor).not.toBeNull();
    const second = await listLedger(owner.teamId, { before: first.nextCursor, limit: 4 });
    expect(second.entries.map((e) => e.delta)).toEqual([2, 1]);
    expect(second.nextCursor).toBeNull();

    const other = await createUser();
    expect((await listLedger(other.teamId, { limit: 10 })).entries).toHaveLength(0);
  });
});
