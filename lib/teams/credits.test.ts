import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, creditLedger, memberships, outbox, rateLimits, teams } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { rateLimit } from "@/lib/rate-limit";
import { createUser, joinTeam, meta, outboxTo } from "@/tests/helpers";
import { addCredits, CREDIT_MESSAGES, creditBalance, debitCredit, listLedger, payingTeam, topUpAllowance, withCredit } from "./credits";
import { captureLog } from "@/tests/log-spy";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

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
    expect(result).toEqual({ ok: true, balance: 49, ledgerId: expect.any(String) });
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
    vi.stubEnv("TESSERA_MAX_CREDITS_PER_DAY", "100000000");
    const owner = await createUser();
    expect(await addCredits(owner.teamId, { id: owner.userId }, 100_000, meta)).toEqual({ ok: true, balance: 100_050 });
    await setBalance(owner.teamId, 2_147_483_000);
    expect(await addCredits(owner.teamId, { id: owner.userId }, 1_000, meta)).toMatchObject({ ok: false, code: "BALANCE_LIMIT" });
    expect(await creditBalance(owner.teamId)).toBe(2_147_483_000);
  });

  it.each(["admin", "member"] as const)("an %s of the team cannot add credits", async (role) => {
    const owner = await createUser();
    const other = await createUser();
    await joinTeam(owner.teamId, other.userId, role);
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

  it("the operator's daily cap: top-ups beyond 500 credits in 24 hours are refused, saying what is left", async () => {
    const owner = await createUser();
    expect(await addCredits(owner.teamId, { id: owner.userId }, 300, meta)).toEqual({ ok: true, balance: 350 });
    const refused = await addCredits(owner.teamId, { id: owner.userId }, 201, meta);
    expect(refused).toMatchObject({ ok: false, code: "DAILY_CAP" });
    expect(refused.ok || refused.message).toMatch(/at most 500 credits in 24 hours.*200 more/);
    expect(await creditBalance(owner.teamId)).toBe(350);
    expect(await topUpEvents(owner.teamId)).toHaveLength(1);
    expect(await addCredits(owner.teamId, { id: owner.userId }, 200, meta)).toEqual({ ok: true, balance: 550 });
    expect(await topUpAllowance(owner.teamId)).toEqual({ cap: 500, remaining: 0 });
    // A day later the old top-ups no longer count.
    await db().update(creditLedger).set({ createdAt: sql`now() - interval '25 hours'` }).where(eq(creditLedger.teamId, owner.teamId));
    expect(await topUpAllowance(owner.teamId)).toEqual({ cap: 500, remaining: 500 });
  });

  it("concurrent top-ups cannot pass the cap together", async () => {
    const owner = await createUser();
    const results = await Promise.all(Array.from({ length: 10 }, () => addCredits(owner.teamId, { id: owner.userId }, 100, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(await creditBalance(owner.teamId)).toBe(550);
  });

  it("the cap is the operator's: TESSERA_MAX_CREDITS_PER_DAY", async () => {
    vi.stubEnv("TESSERA_MAX_CREDITS_PER_DAY", "20");
    const owner = await createUser();
    expect(await addCredits(owner.teamId, { id: owner.userId }, 21, meta)).toMatchObject({ ok: false, code: "DAILY_CAP" });
    expect(await addCredits(owner.teamId, { id: owner.userId }, 20, meta)).toEqual({ ok: true, balance: 70 });
  });

  it("every owner of the team is emailed about a top-up; a refused one emails nobody", async () => {
    const owner = await createUser();
    const second = await createUser();
    const admin = await createUser();
    await joinTeam(owner.teamId, second.userId, "owner");
    await joinTeam(owner.teamId, admin.userId, "admin");
    await addCredits(owner.teamId, { id: owner.userId }, 40, meta);
    const topUpMails = async (email: string) => (await outboxTo(email)).filter((mail) => /SMS credits? (was|were) added/.test(mail.subject ?? ""));
    for (const email of [owner.email, second.email]) {
      const [mail] = await topUpMails(email);
      expect(mail!.subject).toBe("40 SMS credits were added to Ada Lovelace's team");
      expect(mail!.text).toContain("added 40 SMS credits");
      expect(mail!.text).toContain("The balance is now 90");
    }
    expect(await topUpMails(admin.email)).toHaveLength(0);
    await addCredits(owner.teamId, { id: owner.userId }, 1_000, meta);
    expect(await topUpMails(owner.email)).toHaveLength(1);
  });

  it("the balance never goes negative, even written directly", async () => {
    const { teamId } = await createUser();
    await expect(setBalance(teamId, -1)).rejects.toThrow();
  });
});

describe("listLedger", () => {
  it("pages newest first with cursors both ways, naming who topped up", async () => {
    const owner = await createUser({ name: "Grace Hopper" });
    for (let i = 1; i <= 5; i++) await addCredits(owner.teamId, { id: owner.userId }, i, meta);
    await db().transaction((tx) => debitCredit(tx, { teamId: owner.teamId, reason: "sms", messageId: randomUUID() }));

    const first = await listLedger(owner.teamId, { limit: 4 });
    expect(first.entries.map((e) => e.delta)).toEqual([-1, 5, 4, 3]);
    expect(first.entries[0]).toMatchObject({ balanceAfter: 64, actorName: null, reason: "sms" });
    expect(first.entries[1]).toMatchObject({ actorId: owner.userId, actorName: "Grace Hopper", actorEmail: owner.email });
    expect(first.newerCursor).toBeNull();
    expect(first.olderCursor).not.toBeNull();

    const second = await listLedger(owner.teamId, { before: first.olderCursor, limit: 4 });
    expect(second.entries.map((e) => e.delta)).toEqual([2, 1]);
    expect(second.olderCursor).toBeNull();
    expect(second.newerCursor).not.toBeNull();

    const back = await listLedger(owner.teamId, { after: second.newerCursor, limit: 4 });
    expect(back.entries.map((e) => e.delta)).toEqual([-1, 5, 4, 3]);
    expect(back.newerCursor).toBeNull();
    expect(back.olderCursor).toBe(first.olderCursor);

    const middle = await listLedger(owner.teamId, { after: second.newerCursor, limit: 2 });
    expect(middle.entries.map((e) => e.delta)).toEqual([4, 3]);
    expect(middle.newerCursor).not.toBeNull();
    expect(middle.olderCursor).not.toBeNull();

    const other = await createUser();
    expect((await listLedger(other.teamId, { limit: 10 })).entries).toHaveLength(0);
  });
});

/** Every ledger row's balance_after is the balance it started from plus all deltas up to it, and the last one is the team's balance. */
async function expectConsistentLedger(teamId: string, startBalance: number) {
  const ledger = await ledgerOf(teamId);
  let running = startBalance;
  for (const row of ledger) {
    running += row.delta;
    expect(row.balanceAfter, `balance_after of ledger row #${row.seq}`).toBe(running);
  }
  expect(await creditBalance(teamId)).toBe(running);
  return ledger;
}

/** A real send through the outbox, as an SMS. */
const sms = (to = "+14155550100") => send({ channel: "sms", to, text: "Your Tessera code is 000000." });
/** What withCredit's fraud controls are told about a send to `to`. */
const paid = (channel: "sms" | "voice", to = "+14155550100") => ({ channel, to, use: "api" as const });

describe("withCredit", () => {
  it("spends one credit and records the message's id on its ledger row", async () => {
    const { teamId } = await createUser();
    const result = await withCredit(teamId, paid("voice"), () => sms());
    if (!result.ok) throw new Error(result.code);
    expect(result.balance).toBe(49);
    const [message] = await db().select().from(outbox).where(eq(outbox.to, "+14155550100"));
    expect(result.sent.id).toBe(message!.id);
    expect(await ledgerOf(teamId)).toMatchObject([{ delta: -1, reason: "voice", messageId: message!.id, balanceAfter: 49 }]);
  });

  it("at 0 credits sends nothing, debits nothing, and rolls back what the precheck wrote", async () => {
    const { teamId } = await createUser();
    await setBalance(teamId, 0);
    const deliver = vi.fn(() => sms());
    const result = await withCredit(teamId, paid("sms"), deliver, {
      precheck: async (tx) => ((await rateLimit("test:counted", { limit: 5, windowSeconds: 60 }, tx)).allowed ? null : "limited"),
    });
    expect(result).toEqual({ ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS });
    expect(deliver).not.toHaveBeenCalled();
    expect(await db().select().from(outbox).where(eq(outbox.channel, "sms"))).toHaveLength(0);
    expect(await db().select().from(rateLimits).where(eq(rateLimits.key, "test:counted"))).toHaveLength(0);
    expect(await creditBalance(teamId)).toBe(0);
    expect(await ledgerOf(teamId)).toHaveLength(0);
  });

  it("a precheck's refusal stops before the debit, and its writes stay", async () => {
    const { teamId } = await createUser();
    const deliver = vi.fn(() => sms());
    const result = await withCredit(teamId, paid("sms"), deliver, {
      precheck: async (tx) => {
        await rateLimit("test:counted", { limit: 5, windowSeconds: 60 }, tx);
        return { reason: "cooldown" };
      },
    });
    expect(result).toEqual({ ok: false, code: "REFUSED", refusal: { reason: "cooldown" } });
    expect(deliver).not.toHaveBeenCalled();
    expect(await db().select().from(rateLimits).where(eq(rateLimits.key, "test:counted"))).toMatchObject([{ count: 1 }]);
    expect(await creditBalance(teamId)).toBe(50);
    expect(await ledgerOf(teamId)).toHaveLength(0);
  });

  it("a failed provider call debits nothing and the error reaches the caller", async () => {
    const { teamId } = await createUser();
    await expect(withCredit(teamId, paid("sms"), () => Promise.reject(new Error("provider timeout")))).rejects.toThrow("provider timeout");
    expect(await creditBalance(teamId)).toBe(50);
    expect(await ledgerOf(teamId)).toHaveLength(0);
  });

  it("keeps the ledger consistent when a send fails after later debits and a top-up were recorded", async () => {
    const owner = await createUser();
    const { teamId } = owner;
    await setBalance(teamId, 10);
    const failing = withCredit(teamId, paid("sms"), async () => {
      // While this provider call hangs, other sends and a top-up go through.
      expect((await withCredit(teamId, paid("sms", "+14155550101"), () => sms("+14155550101"))).ok).toBe(true);
      expect(await addCredits(teamId, { id: owner.userId }, 5, meta)).toEqual({ ok: true, balance: 13 });
      expect((await withCredit(teamId, paid("voice", "+14155550102"), () => sms("+14155550102"))).ok).toBe(true);
      throw new Error("provider rejected the number");
    });
    await expect(failing).rejects.toThrow("provider rejected the number");

    const ledger = await expectConsistentLedger(teamId, 10);
    expect(ledger.map((row) => [row.reason, row.delta, row.balanceAfter])).toEqual([
      ["sms", -1, 9],
      ["top_up", 5, 14],
      ["voice", -1, 13],
    ]);
    expect(await creditBalance(teamId)).toBe(13);
  });

  it("20 concurrent sends at 10 credits: exactly 10 sent, balance 0, a consistent ledger", async () => {
    const { teamId } = await createUser();
    await setBalance(teamId, 10);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => withCredit(teamId, paid(i % 2 ? "sms" : "voice", `+1415555${String(1000 + i)}`), () => sms(`+1415555${String(1000 + i)}`))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "NO_CREDITS")).toBe(true);

    const messages = await db().select().from(outbox).where(eq(outbox.channel, "sms"));
    expect(messages).toHaveLength(10);
    expect(await creditBalance(teamId)).toBe(0);
    const ledger = await expectConsistentLedger(teamId, 10);
    expect(ledger.map((row) => row.balanceAfter)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(new Set(ledger.map((row) => row.messageId))).toEqual(new Set(messages.map((m) => m.id)));
  });

  it("20 concurrent sends at 15 credits, every third provider call failing: the ledger holds exactly the sent messages", async () => {
    const { teamId } = await createUser();
    await setBalance(teamId, 15);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        withCredit(teamId, paid("sms", `+1415555${String(2000 + i)}`), async () => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7) % 13));
          if (i % 3 === 0) throw new Error(`provider failed #${i}`);
          return sms(`+1415555${String(2000 + i)}`);
        }),
      ),
    );
    const sent = results.filter((r) => r.status === "fulfilled" && r.value.ok).length;
    const failed = results.filter((r) => r.status === "rejected").length;
    const refused = results.filter((r) => r.status === "fulfilled" && !r.value.ok && r.value.code === "NO_CREDITS").length;
    expect(sent + failed + refused).toBe(20);
    expect(failed).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(0);
    const messages = await db().select().from(outbox).where(eq(outbox.channel, "sms"));
    expect(messages).toHaveLength(sent);
    expect(await creditBalance(teamId)).toBe(15 - sent);
    const ledger = await expectConsistentLedger(teamId, 15);
    expect(ledger).toHaveLength(sent);
    expect(new Set(ledger.map((row) => row.messageId))).toEqual(new Set(messages.map((m) => m.id)));
  });

  it("keeps the debit when the provider's message id is not a uuid, and says so in the log", async () => {
    const { teamId } = await createUser();
    const logged = captureLog();
    const result = await withCredit(teamId, paid("sms"), async () => ({ id: "SM0123456789abcdef" }));
    expect(result).toMatchObject({ ok: true, balance: 49 });
    expect(await ledgerOf(teamId)).toMatchObject([{ delta: -1, messageId: null, balanceAfter: 49 }]);
    expect(logged.text()).toContain("credits.message_id_not_uuid");
  });
});

describe("payingTeam", () => {
  const requireSms = (teamId: string, allowedMethods: ("totp" | "email" | "sms" | "webauthn")[] = ["totp", "sms"]) =>
    db().update(teams).set({ requireTwoFactor: true, allowedMethods, defaultMethod: "totp" }).where(eq(teams.id, teamId));
  /** Joins `minutes` after now, so the order of memberships is explicit (sign-up's personal team comes first). */
  const joinLater = (teamId: string, userId: string, minutes: number) =>
    db().insert(memberships).values({ teamId, userId, role: "member", createdAt: sql`now() + (${minutes} * interval '1 minute')` });

  it("is the personal team while no team requires 2FA with SMS allowed", async () => {
    const user = await createUser();
    const other = await createUser();
    await joinLater(other.teamId, user.userId, 1);
    expect(await payingTeam(db(), user.userId)).toBe(user.teamId);

    // Requiring 2FA without SMS does not make a team pay for texts.
    await requireSms(other.teamId, ["totp", "webauthn"]);
    expect(await payingTeam(db(), user.userId)).toBe(user.teamId);
  });

  it("is the oldest-membership team that requires 2FA and allows SMS", async () => {
    const user = await createUser();
    const [older, newer, notRequiring] = [await createUser(), await createUser(), await createUser()];
    await joinLater(older.teamId, user.userId, 1);
    await joinLater(notRequiring.teamId, user.userId, 2);
    await joinLater(newer.teamId, user.userId, 3);
    await requireSms(newer.teamId);
    expect(await payingTeam(db(), user.userId)).toBe(newer.teamId);
    await requireSms(older.teamId);
    expect(await payingTeam(db(), user.userId)).toBe(older.teamId);
    // A personal team that itself requires 2FA with SMS is older than every team joined later.
    await requireSms(user.teamId);
    expect(await payingTeam(db(), user.userId)).toBe(user.teamId);
  });

  it("is null for a user in no team", async () => {
    const user = await createUser();
    await db().delete(memberships).where(eq(memberships.userId, user.userId));
    expect(await payingTeam(db(), user.userId)).toBeNull();
  });
});
