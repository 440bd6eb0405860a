import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { screenPaidSend, type GuardRefusal, type PaidMessage } from "@/lib/fraud/guard";
import { pauseForBurst } from "@/lib/fraud/pause";
import { countVelocity } from "@/lib/fraud/velocity";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Executor, type Tx } from "@/lib/db";
import { creditLedger, memberships, teams, users } from "@/lib/db/schema";
import { giveBack, type Counted } from "@/lib/rate-limit";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { notifyTeamOwners } from "@/lib/notifications";
import { lockTeam, OWNERS, requireTeamRole } from "./roles";
import { log } from "@/lib/log";

export const MAX_TOP_UP = 100_000;
/** Below this the credits page warns: a busy team spends that in a morning of sign-ins. */
export const LOW_CREDIT_BALANCE = 10;
/** PostgreSQL's integer limit: a top-up never makes the balance overflow. */
const MAX_BALANCE = 2_147_483_647;

export const CREDIT_MESSAGES = {
  NO_CREDITS: "This team has no SMS credits left. Use another method, or ask an owner to add credits.",
  FORBIDDEN: "Only an owner of this team can add credits.",
  INVALID_AMOUNT: `Enter a whole number of credits from 1 to ${MAX_TOP_UP.toLocaleString("en-US")}.`,
  BALANCE_LIMIT: "That would take the balance over its limit. Add fewer credits.",
  DAILY_CAP: (cap: number, remaining: number) =>
    `This server lets a team add at most ${cap.toLocaleString("en-US")} credits in 24 hours` +
    (remaining > 0 ? `; you can add ${remaining.toLocaleString("en-US")} more now.` : ", and this team has added them all. Try again tomorrow, or ask the server's operator."),
} as const;

/** What costs a credit: one SMS, or one voice call. Email is free. */
export type CreditReason = "sms" | "voice";

export type DebitResult = { ok: true; balance: number; ledgerId: string } | { ok: false; code: "NO_CREDITS"; message: string };

/**
 * Spends one credit for an SMS or voice message, in the caller's transaction. One
 * conditional UPDATE decides: of any number of concurrent debits at balance n, exactly n
 * succeed; a refused debit writes nothing. Senders go through `withCredit`, which wraps this.
 */
export async function debitCredit(tx: Tx, input: { teamId: string; reason: CreditReason; messageId?: string | null }): Promise<DebitResult> {
  const [row] = await tx
    .update(teams)
    .set({ creditBalance: sql`${teams.creditBalance} - 1` })
    .where(and(eq(teams.id, input.teamId), gt(teams.creditBalance, 0)))
    .returning({ balance: teams.creditBalance });
  if (!row) return { ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS };
  const [entry] = await tx
    .insert(creditLedger)
    .values({ teamId: input.teamId, delta: -1, reason: input.reason, messageId: input.messageId ?? null, balanceAfter: row.balance })
    .returning({ id: creditLedger.id });
  return { ok: true, balance: row.balance, ledgerId: entry!.id };
}

/**
 * The team that pays for a dashboard user's SMS and voice codes (sign-in, step-up,
 * enrollment). Codes go out before any team is chosen, so memberships decide: the oldest
 * membership among teams that require 2FA and allow SMS — the team whose policy has the
 * person use a phone at all — else the oldest membership, which is the personal team every
 * user owns from sign-up. Null for a user in no team (sign-up always makes one); callers
 * refuse the message then.
 */
export async function payingTeam(ex: Executor, userId: string): Promise<string | null> {
  const smsRequired = sql`${teams.requireTwoFactor} and ${teams.allowedMethods} @> '["sms"]'::jsonb`;
  const [row] = await ex
    .select({ id: teams.id })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(desc(smsRequired), asc(memberships.createdAt), asc(teams.id))
    .limit(1);
  return row?.id ?? null;
}

export type PaidSend<T, R> =
  | { ok: true; sent: T; balance: number }
  | { ok: false; code: "NO_CREDITS"; message: string }
  /** `precheck` said no: nothing was debited or sent. */
  | { ok: false; code: "REFUSED"; refusal: R }
  /** The fraud controls (lib/fraud) said no: nothing was debited, written or sent. */
  | { ok: false; code: "GUARD"; refusal: GuardRefusal };

/** Thrown inside the reservation's transaction to roll it back, precheck's writes included. */
class NoCredits extends Error {}

/** Thrown inside the reservation's transaction when the fraud controls refuse: rolls back every count of this send. */
class Guarded extends Error {
  constructor(readonly refusal: GuardRefusal) {
    super(refusal.code);
  }
}

/**
 * Sends one paid message (SMS or voice) for a team: one credit, with a ledger row that
 * names the message. At 0 credits nothing is sent or debited; a send that throws debits
 * nothing (the error is rethrown for the caller to report).
 *
 * Every paid message of Tessera passes here, so the fraud controls live here too: the
 * caller names the destination and what the send is for (`message`), and the guard runs
 * before anything is debited — no caller can send to a phone without it.
 *
 * No transaction stays open across the provider call: on the embedded PGlite (one
 * connection) a hanging provider would stall the whole app, and on PostgreSQL it would hold
 * the team row's lock against every other send of the team. So the credit is reserved:
 *  1. one short transaction
 *     a. runs `precheck` (e.g. the caller's rate limits and state checks; a non-null answer
 *        refuses and its writes commit);
 *     b. screens the message (lib/fraud/guard.ts): the team's pause, the number's line type
 *        and country, VoIP;
 *     c. counts the velocity limits (lib/fraud/velocity.ts);
 *     d. debits and writes the ledger row without a message id.
 *     When b or c refuse, or there is no credit, the whole transaction rolls back, so such a
 *     refusal leaves no trace (precheck's counters and the velocity counters included:
 *     nothing was sent). A burst that goes over the number-range limit then pauses the team
 *     in a transaction of its own and emails its owners (lib/fraud/pause.ts);
 *  2. `send` runs with no transaction open, given the reserved ledger row's id: it passes it
 *     to lib/messaging `send`, which writes the delivery's id on that row together with the
 *     delivery row, before the provider is called — so no fault after the provider's answer
 *     can leave the debit without its message (the delivery itself is then settled by the
 *     reconciler, lib/messaging/reconcile.ts);
 *  3. on a throw `releaseCredit` removes the reservation as if it never happened (see there)
 *     and the velocity counts are given back: the limits count messages that went out, not
 *     attempts (issue 12: after an outage nobody may be refused for sends that never happened).
 * A crash between 1 and 2 leaves the debit with no message id: the credit is spent, which
 * costs one credit for a message that never went out.
 */
export async function withCredit<T, R = never>(
  teamId: string,
  message: PaidMessage,
  send: (paid: { ledgerId: string }) => Promise<T>,
  options: { precheck?: (tx: Tx) => Promise<R | null> } = {},
): Promise<PaidSend<T, R>> {
  let reserved: { refusal: R } | { ledgerId: string; balance: number };
  const velocity: Counted[] = [];
  try {
    reserved = await db().transaction(async (tx) => {
      const refusal = options.precheck ? await options.precheck(tx) : null;
      if (refusal !== null) return { refusal };
      const screened = await screenPaidSend(tx, teamId, message);
      if ("refusal" in screened) throw new Guarded(screened.refusal);
      const over = await countVelocity(tx, teamId, screened.info, velocity);
      if (over) throw new Guarded(over);
      const debit = await debitCredit(tx, { teamId, reason: message.channel });
      if (!debit.ok) throw new NoCredits();
      return { ledgerId: debit.ledgerId, balance: debit.balance };
    });
  } catch (error) {
    if (error instanceof NoCredits) return { ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS };
    if (!(error instanceof Guarded)) throw error;
    const { refusal } = error;
    if (refusal.code === "OVER_LIMIT" && refusal.limit === "range") await pauseForBurst(teamId, refusal);
    return { ok: false, code: "GUARD", refusal };
  }
  if ("refusal" in reserved) return { ok: false, code: "REFUSED", refusal: reserved.refusal };

  let sent: T;
  try {
    sent = await send({ ledgerId: reserved.ledgerId });
  } catch (error) {
    try {
      await releaseCredit(teamId, reserved.ledgerId);
      // Nothing went out: the velocity limits count messages, not attempts.
      await giveBack(velocity);
    } catch (releaseError) {
      // The send's error matters more to the caller; the ledger stays consistent (the debit simply stays).
      log.error("credits.release_failed", { ledgerId: reserved.ledgerId }, releaseError);
    }
    throw error;
  }
  return { ok: true, sent, balance: reserved.balance };
}

/**
 * Undoes a reservation whose send failed, in one transaction: the credit goes back, the
 * ledger row goes, and every later ledger row of the team gets 1 added to its
 * `balance_after` — debits and top-ups that happened while the provider was being called
 * were computed from a balance that included the reservation. Afterwards each row's
 * `balance_after` is again the sum of all deltas up to it, as if the send had never been
 * tried. The team row's lock comes first, so no debit or top-up can slip in between.
 */
async function releaseCredit(teamId: string, ledgerId: string): Promise<void> {
  await db().transaction(async (tx) => {
    if (!(await lockTeam(tx, teamId))) return;
    const [gone] = await tx.delete(creditLedger).where(eq(creditLedger.id, ledgerId)).returning({ seq: creditLedger.seq });
    if (!gone) return;
    await tx
      .update(teams)
      .set({ creditBalance: sql`${teams.creditBalance} + 1` })
      .where(eq(teams.id, teamId));
    await tx
      .update(creditLedger)
      .set({ balanceAfter: sql`${creditLedger.balanceAfter} + 1` })
      .where(and(eq(creditLedger.teamId, teamId), gt(creditLedger.seq, gone.seq)));
  });
}

export type TopUpResult =
  | { ok: true; balance: number }
  | { ok: false; code: "FORBIDDEN" | "INVALID_AMOUNT" | "BALANCE_LIMIT" | "DAILY_CAP"; message: string };

/**
 * How many credits the team may still add now: the operator's cap
 * (`TESSERA_MAX_CREDITS_PER_DAY`) less the top-ups of the last 24 hours.
 */
export async function topUpAllowance(teamId: string, ex: Executor = db()): Promise<{ cap: number; remaining: number }> {
  const cap = config.maxCreditsPerDay;
  const [row] = await ex
    .select({ added: sql<number>`coalesce(sum(${creditLedger.delta}), 0)`.mapWith(Number) })
    .from(creditLedger)
    .where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.reason, "top_up"), gt(creditLedger.createdAt, sql`now() - interval '24 hours'`)));
  return { cap, remaining: Math.max(0, cap - (row?.added ?? 0)) };
}

/**
 * Adds credits to a team. Credits are money: there is no payment step in this build (a real
 * deployment takes payment here), so what a stolen owner session can add is bounded by the
 * operator's daily cap — counted under the team's lock, so concurrent top-ups cannot pass it
 * together. Owners only, checked in the database; a fresh factor is the action's to demand.
 * Audited and in the ledger; every owner is emailed after commit.
 */
export async function addCredits(teamId: string, actor: { id: string }, amount: unknown, meta: RequestMeta): Promise<TopUpResult> {
  const result = await db().transaction(async (tx): Promise<TopUpResult> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, OWNERS))) return { ok: false, code: "FORBIDDEN", message: CREDIT_MESSAGES.FORBIDDEN };
    if (typeof amount !== "number" || !Number.isInteger(amount) || amount < 1 || amount > MAX_TOP_UP) {
      return { ok: false, code: "INVALID_AMOUNT", message: CREDIT_MESSAGES.INVALID_AMOUNT };
    }
    const { cap, remaining } = await topUpAllowance(teamId, tx);
    if (amount > remaining) return { ok: false, code: "DAILY_CAP", message: CREDIT_MESSAGES.DAILY_CAP(cap, remaining) };
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
  if (result.ok) await announceTopUp(teamId, actor.id, amount as number, result.balance, meta);
  return result;
}

async function announceTopUp(teamId: string, actorId: string, amount: number, balance: number, meta: RequestMeta): Promise<void> {
  const [row] = await db()
    .select({ name: users.name, email: users.email, team: teams.name })
    .from(users)
    .innerJoin(teams, eq(teams.id, teamId))
    .where(eq(users.id, actorId));
  const team = safeDisplayName(row?.team) ?? "your team";
  const who = row ? `${safeDisplayName(row.name) ?? "An owner"} (${row.email})` : "An owner";
  const credits = `${amount.toLocaleString("en-US")} SMS credit${amount === 1 ? "" : "s"}`;
  await notifyTeamOwners(
    teamId,
    `${credits} ${amount === 1 ? "was" : "were"} added to ${team}`,
    [`${who} added ${credits} to ${team}.`, `The balance is now ${balance.toLocaleString("en-US")}. Each SMS or voice call spends one.`],
    meta,
  );
}

/** The team's balance, or null when there is no such team. */
export async function creditBalance(teamId: string, ex: Executor = db()): Promise<number | null> {
  const [row] = await ex.select({ balance: teams.creditBalance }).from(teams).where(eq(teams.id, teamId));
  return row?.balance ?? null;
}

export type LedgerEntry = {
  id: string;
  seq: number;
  delta: number;
  /** "sms" | "voice" | "top_up" */
  reason: string;
  messageId: string | null;
  actorId: string | null;
  /** Who added the credits (top-ups); null when there is none or the account is gone. */
  actorName: string | null;
  actorEmail: string | null;
  balanceAfter: number;
  createdAt: Date;
};

export type LedgerPage = {
  entries: LedgerEntry[];
  /** Pass as `before` for the next older page; null on the oldest page. */
  olderCursor: number | null;
  /** Pass as `after` for the next newer page; null on the newest page. */
  newerCursor: number | null;
};

/**
 * The team's ledger, newest first, a page at a time by `seq` (keyset: each page is one
 * index range scan however deep). `before` pages towards older rows, `after` back towards
 * newer ones; both are cursors this function returned.
 */
export async function listLedger(
  teamId: string,
  options: { before?: number | null; after?: number | null; limit?: number } = {},
): Promise<LedgerPage> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 50), 200));
  const forward = options.after != null && options.before == null;
  const rows = await db()
    .select({
      id: creditLedger.id,
      seq: creditLedger.seq,
      delta: creditLedger.delta,
      reason: creditLedger.reason,
      messageId: creditLedger.messageId,
      actorId: creditLedger.actorId,
      actorName: users.name,
      actorEmail: users.email,
      balanceAfter: creditLedger.balanceAfter,
      createdAt: creditLedger.createdAt,
    })
    .from(creditLedger)
    .leftJoin(users, eq(users.id, creditLedger.actorId))
    .where(
      and(
        eq(creditLedger.teamId, teamId),
        forward ? gt(creditLedger.seq, options.after!) : options.before != null ? lt(creditLedger.seq, options.before) : undefined,
      ),
    )
    .orderBy(forward ? asc(creditLedger.seq) : desc(creditLedger.seq))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const entries = forward ? page.reverse() : page;
  // A page reached through a cursor came from a neighbour, so that side has rows. An empty
  // page (its rows were since released) offers no cursor; the page shows the way back to the newest.
  const hasOlder = forward || more;
  const hasNewer = forward ? more : options.before != null;
  return {
    entries,
    olderCursor: hasOlder && entries.length > 0 ? entries.at(-1)!.seq : null,
    newerCursor: hasNewer && entries.length > 0 ? entries[0]!.seq : null,
  };
}
