import { and, desc, eq, gt, lt, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor, type Tx } from "@/lib/db";
import { creditLedger, teams } from "@/lib/db/schema";
import { lockTeam, teamRole } from "./policy";

export const MAX_TOP_UP = 100_000;
/** PostgreSQL's integer limit: a top-up never makes the balance overflow. */
const MAX_BALANCE = 2_147_483_647;

export const CREDIT_MESSAGES = {
  NO_CREDITS: "This team has no SMS credits left. Use another method, or ask an owner to add credits.",
  FORBIDDEN: "Only an owner of this team can add credits.",
  INVALID_AMOUNT: `Enter a whole number of credits from 1 to ${MAX_TOP_UP.toLocaleString("en-US")}.`,
  BALANCE_LIMIT: "That would take the balance over its limit. Add fewer credits.",
} as const;

export type DebitResult = { ok: true; balance: number } | { ok: false; code: "NO_CREDITS"; message: string };

/**
 * Spends one credit for an SMS or voice message, in the caller's transaction (the one that
 * sends). One conditional UPDATE decides: of any number of concurrent debits at balance n,
 * exactly n succeed; a refused debit writes nothing.
 */
export async function debitCredit(tx: Tx, input: { teamId: string; reason: "sms" | "voice"; messageId?: string | null }): Promise<DebitResult> {
  const [row] = await tx
    .update(teams)
    .set({ creditBalance: sql`${teams.creditBalance} - 1` })
    .where(and(eq(teams.id, input.teamId), gt(teams.creditBalance, 0)))
    .returning({ balance: teams.creditBalance });
  if (!row) return { ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS };
  await tx.insert(creditLedger).values({
    teamId: input.teamId,
    delta: -1,
    reason: input.reason,
    messageId: input.messageId ?? null,
    balanceAfter: row.balance,
  });
  return { ok: true, balance: row.balance };
}

export type TopUpResult =
  | { ok: true; balance: number }
  | { ok: false; code: "FORBIDDEN" | "INVALID_AMOUNT" | "BALANCE_LIMIT"; message: string };

/** Adds credits to a team (no payment). Owners only, checked in the database; audited and in the ledger. */
export async function addCredits(teamId: string, actor: { id: string }, amount: unknown, meta: RequestMeta): Promise<TopUpResult> {
  return db().transaction(async (tx): Promise<TopUpResult> => {
    const isOwner = (await lockTeam(tx, teamId)) && (await teamRole(tx, teamId, actor.id)) === "owner";
    if (!isOwner) return { ok: false, code: "FORBIDDEN", message: CREDIT_MESSAGES.FORBIDDEN };
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 1 || amount > MAX_TOP_UP) {
      return { ok: false, code: "INVALID_AMOUNT", message: CREDIT_MESSAGES.INVALID_AMOUNT };
    }
    const [row] = await tx
      .update(teams)
      .set({ creditBalance: sql`${teams.creditBalance} + ${amount}` })
      .where(and(eq(teams.id, teamId), sql`${teams.creditBalance} <= ${MAX_BALANCE - amount}`))
      .returning({ balance: teams.creditBalance });
    if (!row) return { ok: false, code: "BALANCE_LIMIT", message: CREDIT_MESSAGES.BALANCE_LIMIT };
    const [entry] = await tx
      .insert(creditLedger)
      .values({ teamId, delta: amount, reason: "top_up", actorId: actor.id, balanceAfter: row.balance })
      .returning({ id: creditLedger.id });
    await recordAudit(tx, {
      type: "credits.added",
      teamId,
      actorId: actor.id,
      data: { amount, balance: row.balance, ledgerId: entry!.id },
      ...meta,
    });
    return { ok: true, balance: row.balance };
  });
}

/** The team's balance, or null when there is no such team. */
export async function creditBalance(teamId: string, ex: Executor = db()): Promise<number | null> {
  const [row] = await ex.select({ balance: teams.creditBalance }).from(teams).where(eq(teams.id, teamId));
  return row?.balance ?? null;
}

export type LedgerPage = {
  entries: {
    id: string;
    seq: number;
    delta: number;
    reason: string;
    messageId: string | null;
    actorId: string | null;
    balanceAfter: number;
    createdAt: Date;
  }[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
};

/** The team's ledger, newest first; `before` is the previous page's `nextCursor`. */
export async function listLedger(teamId: string, options: { before?: number | null; limit?: number } = {}): Promise<LedgerPage> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 50), 200));
  const rows = await db()
    .select({
      id: creditLedger.id,
      seq: creditLedger.seq,
      delta: creditLedger.delta,
      reason: creditLedger.reason,
      messageId: creditLedger.messageId,
      actorId: creditLedger.actorId,
      balanceAfter: creditLedger.balanceAfter,
      createdAt: creditLedger.createdAt,
    })
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, teamId), options.before != null ? lt(creditLedger.seq, options.before) : undefined))
    .orderBy(desc(creditLedger.seq))
    .limit(limit + 1);
  const entries = rows.slice(0, limit);
  return { entries, nextCursor: rows.length > limit ? entries[entries.length - 1]!.seq : null };
}
