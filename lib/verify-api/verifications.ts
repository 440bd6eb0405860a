import { randomInt } from "node:crypto";
import { and, eq, gt, lt, ne, sql } from "drizzle-orm";
import { db, type Executor, type Tx } from "@/lib/db";
import { teams, verifications, type Channel, type Verification } from "@/lib/db/schema";
import { isUuid } from "@/lib/db/uuid";
import { send } from "@/lib/messaging";
import { channelConfigured } from "@/lib/messaging/choose-provider";
import { giveBack, rateLimit, type Counted } from "@/lib/rate-limit";
import { keyedHash, matchesKeyedHash } from "@/lib/security/crypto";
import { withCredit } from "@/lib/teams/credits";
import { failure, guardFailure, RATE_LIMIT_MESSAGES, type ApiFailure } from "./errors";
import { destinationKey } from "./destination";
import type { ApiKeyPrincipal } from "./keys";
import { verifyMessage, type Locale } from "./messages";
import type { CheckVerificationInput, CreateVerificationInput, FallbackInput } from "./schemas";
import { log } from "@/lib/log";

/** NIST SP 800-63B's limit for out-of-band codes. */
export const CODE_TTL_SECONDS = 10 * 60;
export const MAX_CHECKS = 5;
/** The first send and two fallbacks: enough for "didn't get it", too few to pump calls. */
export const MAX_SENDS = 3;
/** Codes per team and destination per hour (SMS pumping, and mail-bombing an address). */
export const SENDS_PER_DESTINATION_PER_HOUR = 5;
/** The same across every team: what one phone or inbox can be sent, however many teams ask. */
export const SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS = 10;
const HOUR = 60 * 60;
const HASH_PURPOSE = "verify-code";

export type VerificationStatus = "pending" | "approved" | "expired" | "failed" | "canceled";

/** The verification as the API shows it: never the code nor its hash. */
export type VerificationObject = {
  id: string;
  to: string;
  channel: Channel;
  status: VerificationStatus;
  locale: string;
  created_at: string;
  expires_at: string;
  attempts_left: number;
};

export type VerifyResult = { ok: true; verification: VerificationObject } | ApiFailure;

// `expired` is read from the database's clock, the one the conditional UPDATEs compare with.
const shown = {
  id: verifications.id,
  to: verifications.to,
  channel: verifications.channel,
  status: verifications.status,
  locale: verifications.locale,
  attempts: verifications.attempts,
  createdAt: verifications.createdAt,
  expiresAt: verifications.expiresAt,
  expired: sql<boolean>`${verifications.expiresAt} <= now()`,
};

type ShownRow = Pick<Verification, "id" | "to" | "channel" | "status" | "locale" | "attempts" | "createdAt" | "expiresAt"> & { expired: boolean };

function view(row: ShownRow): VerificationObject {
  let status: VerificationStatus = row.status;
  // A pending row out of tries is failed already: the UPDATE that says so may be a moment behind.
  if (status === "pending") status = row.attempts >= MAX_CHECKS ? "failed" : row.expired ? "expired" : "pending";
  return {
    id: row.id,
    to: row.to,
    channel: row.channel,
    status,
    locale: row.locale,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    attempts_left: status === "failed" ? 0 : Math.max(0, MAX_CHECKS - row.attempts),
  };
}

const ok = (row: ShownRow): VerifyResult => ({ ok: true, verification: view(row) });
const notFound = () => failure("not_found");
const mine = (principal: ApiKeyPrincipal, id: string) => and(eq(verifications.id, id), eq(verifications.teamId, principal.teamId))!;

async function find(principal: ApiKeyPrincipal, id: string, ex: Executor = db()) {
  if (!isUuid(id)) return null;
  const [row] = await ex
    .select({ ...shown, codeLength: verifications.codeLength, sends: verifications.sends })
    .from(verifications)
    .where(mine(principal, id));
  return row ?? null;
}

/** `length` digits from the CSPRNG, leading zeros kept. */
export function generateCode(length: number): string {
  return randomInt(10 ** length)
    .toString()
    .padStart(length, "0");
}

async function teamName(teamId: string): Promise<string> {
  const [team] = await db().select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
  return team?.name ?? "";
}

/**
 * Counts one send to `to`, in `ex`; the refusal, or null to go ahead. Two counters, both by
 * `destinationKey` (aliases of one mailbox count together): the team's 5 an hour, and 10 an
 * hour across all teams — opening more teams must not multiply what one number or inbox
 * receives. What it counted goes into `counted`: a send the provider fails gives it back.
 */
async function countDestination(ex: Executor, teamId: string, to: string, counted: Counted[]): Promise<ApiFailure | null> {
  const key = destinationKey(to);
  const limits: [string, number][] = [
    [`verify:dest:${teamId}:${key}`, SENDS_PER_DESTINATION_PER_HOUR],
    [`verify:dest:any:${key}`, SENDS_PER_DESTINATION_PER_HOUR_ALL_TEAMS],
  ];
  for (const [name, limit] of limits) {
    const result = await rateLimit(name, { limit, windowSeconds: HOUR }, ex);
    if (!result.allowed) return failure("rate_limited", { message: RATE_LIMIT_MESSAGES.destination, retryAfterSeconds: result.retryAfterSeconds });
    counted.push(result.counted);
  }
  return null;
}

/** The provider's error once the send's traces are undone: told apart from database errors, which propagate. */
class SendFailed extends Error {}

async function sendCode(message: { channel: Channel; to: string; subject?: string; text: string; locale: Locale }, code: string, paidBy?: { ledgerId: string }) {
  try {
    return await send(message, paidBy);
  } catch (error) {
    // A provider's error may echo the request; keep the code out of the log line.
    const reason = error instanceof Error ? error.message : String(error);
    throw new SendFailed(reason.replaceAll(code, "[code]"));
  }
}

/**
 * Runs a paid (sms, voice) or free (email) send; a provider failure becomes `delivery_failed`.
 * Paid sends pass the team's fraud controls inside `withCredit` (countries, line types,
 * VoIP for the API, the pause, velocity), whose refusals are 403s and 429s.
 */
async function deliverOnce<T extends { id: string }>(
  teamId: string,
  message: { channel: Channel; to: string },
  deliver: (paidBy?: { ledgerId: string }) => Promise<T>,
  precheck: (tx: Executor) => Promise<ApiFailure | null>,
  /** What `precheck` counted, given back when the provider fails: only sent messages count. */
  counted: Counted[],
): Promise<{ ok: true; sent: T } | ApiFailure> {
  const { channel, to } = message;
  try {
    if (channel === "email") {
      const refused = await precheck(db());
      return refused ?? { ok: true, sent: await deliver() };
    }
    const paid = await withCredit(teamId, { channel, to, use: "api" }, deliver, { precheck: (tx: Tx) => precheck(tx) });
    if (paid.ok) return { ok: true, sent: paid.sent };
    if (paid.code === "GUARD") return guardFailure(paid.refusal);
    return paid.code === "REFUSED" ? paid.refusal : failure("insufficient_credits");
  } catch (error) {
    if (!(error instanceof SendFailed)) throw error;
    log.error("verify_api.send_failed", { channel }, error);
    await giveBack(counted);
    return failure("delivery_failed");
  }
}

/**
 * Sends a new code to `to` and returns the pending verification; a channel this server has
 * no provider for is refused first (`channel_not_configured`). SMS and voice cost the
 * key's team one credit through `withCredit`, whose reservation transaction also counts
 * the destination limit: at 0 credits it rolls back, so nothing is sent, stored or counted.
 *
 * The row is written just before the send (so a quick person's check finds it) and deleted
 * if the send fails, which also gives the credit back. Only once the message is out do the
 * team's older pending verifications to the same `to` become `canceled`: a failed send
 * leaves the code the person may already hold working.
 */
export async function createVerification(principal: ApiKeyPrincipal, input: CreateVerificationInput): Promise<VerifyResult> {
  // Before anything is counted or reserved: a channel that cannot send leaves no trace.
  if (!channelConfigured(input.channel)) return failure("channel_not_configured");
  const { teamId, keyId } = principal;
  const code = generateCode(input.code_length);
  const text = verifyMessage(input.channel, { code, teamName: await teamName(teamId), locale: input.locale, minutes: CODE_TTL_SECONDS / 60 });

  const deliver = async (paidBy?: { ledgerId: string }) => {
    const [row] = await db()
      .insert(verifications)
      .values({
        teamId,
        apiKeyId: keyId,
        to: input.to,
        channel: input.channel,
        locale: input.locale,
        codeLength: input.code_length,
        codeHash: keyedHash(code, HASH_PURPOSE),
        expiresAt: sql`now() + (${CODE_TTL_SECONDS} * interval '1 second')`,
      })
      .returning(shown);
    try {
      const sent = await sendCode({ channel: input.channel, to: input.to, ...text, locale: input.locale }, code, paidBy);
      return { id: sent.id, row: row! };
    } catch (error) {
      await db().delete(verifications).where(eq(verifications.id, row!.id));
      throw error;
    }
  };

  const counted: Counted[] = [];
  const delivered = await deliverOnce(teamId, input, deliver, (ex) => countDestination(ex, teamId, input.to, counted), counted);
  if (!delivered.ok) return delivered;
  const { row } = delivered.sent;

  // Compared in SQL: the database keeps microseconds, a JavaScript Date only milliseconds.
  const createdAt = sql`(select ${verifications.createdAt} from ${verifications} where ${verifications.id} = ${row.id})`;
  await db()
    .update(verifications)
    .set({ status: "canceled", updatedAt: sql`now()` })
    .where(
      and(
        eq(verifications.teamId, teamId),
        eq(verifications.to, input.to),
        eq(verifications.status, "pending"),
        ne(verifications.id, row.id),
        lt(verifications.createdAt, createdAt),
        gt(verifications.expiresAt, sql`now()`),
      ),
    );
  return ok(row);
}

/** The verification's current state; another team's id is as unknown as a made-up one. */
export async function getVerification(principal: ApiKeyPrincipal, id: string): Promise<VerifyResult> {
  const row = await find(principal, id);
  return row ? ok(row) : notFound();
}

/**
 * Checks a code. Each check of a live verification is one of its `MAX_CHECKS` tries,
 * counted in one conditional UPDATE (concurrent guesses cannot exceed the limit); a right
 * code then approves in a second conditional UPDATE, so of concurrent right checks exactly
 * one gets `approved` and the others `already_approved`.
 */
export async function checkVerification(principal: ApiKeyPrincipal, id: string, input: CheckVerificationInput): Promise<VerifyResult> {
  if (!isUuid(id)) return notFound();
  // No read first: the conditional UPDATE is the check, and `settled` explains a miss
  // (unknown, approved, expired, failed or canceled) — one statement for the common case.
  const [live] = await db()
    .update(verifications)
    .set({ attempts: sql`${verifications.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        mine(principal, id),
        eq(verifications.status, "pending"),
        gt(verifications.expiresAt, sql`now()`),
        lt(verifications.attempts, MAX_CHECKS),
      ),
    )
    .returning({ ...shown, codeHash: verifications.codeHash, codeLength: verifications.codeLength });
  if (!live) return settled(principal, id);

  const right = input.code.length === live.codeLength && /^\d+$/.test(input.code) && matchesKeyedHash(input.code, live.codeHash, HASH_PURPOSE);
  if (right) {
    const [approved] = await db()
      .update(verifications)
      .set({ status: "approved", updatedAt: sql`now()` })
      // Still the code this check compared with: a fallback that replaced it meanwhile killed it.
      .where(and(mine(principal, id), eq(verifications.status, "pending"), eq(verifications.codeHash, live.codeHash), gt(verifications.expiresAt, sql`now()`)))
      .returning(shown);
    return approved ? ok(approved) : settled(principal, id);
  }
  if (live.attempts < MAX_CHECKS) return ok(live);
  const [failed] = await db()
    .update(verifications)
    .set({ status: "failed", updatedAt: sql`now()` })
    .where(and(mine(principal, id), eq(verifications.status, "pending")))
    .returning(shown);
  return failed ? ok(failed) : settled(principal, id);
}

/** The answer for a verification that can no longer be checked: approved is a conflict, anything else its state. */
async function settled(principal: ApiKeyPrincipal, id: string): Promise<VerifyResult> {
  const row = await find(principal, id);
  if (!row) return notFound();
  return row.status === "approved" ? failure("already_approved") : ok(row);
}

/**
 * "Message not received": resends a pending phone verification as a voice call with a new
 * code. Attempts keep counting; the code, channel and expiry change only once the call is
 * placed, so a failed call leaves the old code working.
 *
 * The state checks, the destination limit and the `sends` counter run in the credit
 * reservation's transaction under the row's lock, so concurrent fallbacks cannot pass
 * `MAX_SENDS` together; a failed call gives its send back.
 */
export async function fallbackVerification(principal: ApiKeyPrincipal, id: string, input: FallbackInput): Promise<VerifyResult> {
  const existing = await find(principal, id);
  if (!existing) return notFound();
  // An email verification gets its own answer (fallback_unavailable) from the precheck.
  if (existing.channel !== "email" && !channelConfigured(input.channel)) return failure("channel_not_configured");
  const { teamId } = principal;
  const locale = existing.locale as Locale;
  const code = generateCode(existing.codeLength);
  const text = verifyMessage(input.channel, { code, teamName: await teamName(teamId), locale, minutes: CODE_TTL_SECONDS / 60 });

  const counted: Counted[] = [];
  const precheck = async (ex: Executor): Promise<ApiFailure | null> => {
    const [row] = await ex
      .select({ channel: verifications.channel, status: verifications.status, attempts: verifications.attempts, sends: verifications.sends, expired: shown.expired })
      .from(verifications)
      .where(mine(principal, id))
      .for("update");
    if (!row) return notFound();
    if (row.channel === "email") return failure("fallback_unavailable");
    if (row.status !== "pending" || row.expired || row.attempts >= MAX_CHECKS) return failure("verification_not_pending");
    if (row.sends >= MAX_SENDS) return failure("too_many_sends");
    const limited = await countDestination(ex, teamId, existing.to, counted);
    if (limited) return limited;
    await ex
      .update(verifications)
      .set({ sends: sql`${verifications.sends} + 1` })
      .where(mine(principal, id));
    return null;
  };

  const deliver = async (paidBy?: { ledgerId: string }) => {
    let sent;
    try {
      sent = await sendCode({ channel: input.channel, to: existing.to, ...text, locale }, code, paidBy);
    } catch (error) {
      await db()
        .update(verifications)
        .set({ sends: sql`${verifications.sends} - 1` })
        .where(mine(principal, id));
      throw error;
    }
    // The call is placed and paid for: from here a database error must not read as a failed
    // send (that would refund the credit). Only a verification still live takes the new code,
    // so one that expired or ran out of tries during the call is not revived.
    try {
      const [row] = await db()
        .update(verifications)
        .set({
          codeHash: keyedHash(code, HASH_PURPOSE),
          channel: input.channel,
          expiresAt: sql`now() + (${CODE_TTL_SECONDS} * interval '1 second')`,
          updatedAt: sql`now()`,
        })
        .where(and(mine(principal, id), eq(verifications.status, "pending"), gt(verifications.expiresAt, sql`now()`), lt(verifications.attempts, MAX_CHECKS)))
        .returning(shown);
      return { id: sent.id, row: row ?? null };
    } catch (error) {
      log.error("verify_api.fallback_code_not_stored", { deliveryId: sent.id }, error);
      return { id: sent.id, row: null };
    }
  };

  const delivered = await deliverOnce(teamId, { channel: input.channel, to: existing.to }, deliver, precheck, counted);
  if (!delivered.ok) return delivered;
  if (delivered.sent.row) return ok(delivered.sent.row);
  // Approved or replaced while the call was placed: the new code was never stored; say what the verification is now.
  const now = await find(principal, id);
  return now ? ok(now) : notFound();
}
