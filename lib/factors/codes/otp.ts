import { randomInt } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, ne, sql, type SQL } from "drizzle-orm";
import type { RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { otpCodes, teams, type Channel, type OtpPurpose } from "@/lib/db/schema";
import { countryName } from "@/lib/fraud/countries";
import type { GuardRefusal } from "@/lib/fraud/guard";
import { lineTypeArticle, rangeLabel } from "@/lib/fraud/numbers";
import { send } from "@/lib/messaging";
import { channelConfigured } from "@/lib/messaging/choose-provider";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { giveBack, rateLimit, type Counted } from "@/lib/rate-limit";
import { keyedHash, matchesKeyedHash } from "@/lib/security/crypto";
import { waitPhrase } from "@/lib/format/wait";
import { CREDIT_MESSAGES, payingTeam, withCredit } from "@/lib/teams/credits";
import { codeMessage } from "./messages";
import { log } from "@/lib/log";

/** NIST SP 800-63B's limit for out-of-band codes. */
export const CODE_TTL_SECONDS = 10 * 60;
export const MAX_ATTEMPTS = 5;
export const RESEND_COOLDOWN_SECONDS = 30;
/** Caps SMS pumping: a number (or address) gets at most this many codes an hour. */
export const SENDS_PER_DESTINATION_PER_HOUR = 5;
/** Caps one account walking through many numbers (enrolling or changing a phone). */
export const SENDS_PER_USER_PER_HOUR = 10;
/** Caps one machine scripting many accounts; high enough for an office behind one NAT. */
export const SENDS_PER_IP_PER_HOUR = 100;

const CODE_DIGITS = 6;
const HASH_PURPOSE = "otp-code";
const HOUR = 60 * 60;

/** What a message may say about a refusal: the wait, and for the fraud controls' refusals what they refused. */
export type OtpErrorDetail = {
  retryAfterSeconds?: number;
  guard?: GuardRefusal;
  /** The paying team's name, as safe to show (null when it cannot be). */
  team?: string | null;
  purpose?: OtpPurpose;
  channel?: Channel;
};

const WHERE_OWNERS_CHANGE_IT = "Team → SMS & voice";

/** "That number" while it is being enrolled, "Your phone number" once it is the person's factor. */
const theNumber = (d: OtpErrorDetail) => (d.purpose === "enroll" ? "That number" : "Your phone number");

function countryMessage({ guard, team }: OtpErrorDetail = {}): string {
  const country = guard?.code === "COUNTRY_NOT_ALLOWED" && guard.country ? countryName(guard.country) : null;
  if (!country) return "Codes aren't sent to numbers of international networks, such as satellite phones. Use a mobile number, or another method.";
  return `${team ?? "Your team"} doesn't send codes to phone numbers in ${country}. Use another number or method, or ask an owner to allow ${country} under ${WHERE_OWNERS_CHANGE_IT}.`;
}

function lineTypeMessage(d: OtpErrorDetail = {}): string {
  const guard = d.guard?.code === "LINE_TYPE_NOT_ALLOWED" ? d.guard : null;
  if (guard?.rule === "landline") {
    return d.purpose === "enroll"
      ? "That number is a landline, which can't receive text messages. Enter a mobile number."
      : 'Your phone number is a landline, which can\'t receive text messages. Choose "Call me instead", or use another method.';
  }
  if (guard?.rule === "voip") {
    return `${theNumber(d)} is an internet phone (VoIP) number. Sign-in codes don't go to VoIP numbers, which can be taken over without the phone: use a mobile number, or another method. An owner can allow VoIP numbers under ${WHERE_OWNERS_CHANGE_IT}.`;
  }
  const kind = guard ? lineTypeArticle(guard.lineType) : "a number of a kind";
  return `${theNumber(d)} is ${kind}, which can't receive codes: they go only to a person's own phone. Use your mobile number, or another method.`;
}

function limitMessage({ guard, team, retryAfterSeconds }: OtpErrorDetail = {}): string {
  const wait = waitPhrase(retryAfterSeconds);
  const limit = guard?.code === "OVER_LIMIT" ? guard : null;
  if (limit?.limit === "range" || limit?.limit === "range_all_teams") return `Too many codes went to numbers ${rangeLabel(limit.range)} in the last hour. Try again in ${wait}, or use another method.`;
  if (limit?.limit === "all_teams_day") return `This service has sent as many text messages and calls today as its operator allows. Try again in ${wait}, or use another method.`;
  return `${team ?? "Your team"} has sent as many text messages and calls as it may for now. Try again in ${wait}, or use another method.`;
}

/** Error codes of one-time codes, with the message a person sees. */
export const OTP_ERRORS = {
  COOLDOWN: (d: OtpErrorDetail = {}) => `A code is on its way. You can ask for another in ${waitPhrase(d.retryAfterSeconds)}.`,
  RATE_LIMITED: (d: OtpErrorDetail = {}) => `Too many codes were sent. Try again in ${waitPhrase(d.retryAfterSeconds)}, or use another method.`,
  SEND_FAILED: () => "We couldn't send the code. Try again in a moment, or use another method.",
  // One message for wrong, expired, used and locked codes: the answer must not tell a guesser
  // which of them it hit.
  INVALID_CODE: () => "That code didn't work. Check it and try again, or send a new code.",
  NO_CODE: () => "There's no code to check yet. Send a code first.",
  // SMS and voice only; the prompt keeps offering the person's other methods beside it.
  NO_CREDITS: () => CREDIT_MESSAGES.NO_CREDITS,
  // The fraud controls (lib/fraud), SMS and voice only.
  COUNTRY_NOT_ALLOWED: countryMessage,
  NUMBER_NOT_ALLOWED: lineTypeMessage,
  SMS_PAUSED: ({ team }: OtpErrorDetail = {}) =>
    `Text messages and calls are paused for ${team ?? "your team"} after an unusual burst of codes. Use another method for now; an owner can resume them under ${WHERE_OWNERS_CHANGE_IT}.`,
  SMS_LIMITED: limitMessage,
  // The server has no provider for the channel (production, lib/messaging/choose-provider.ts):
  // nothing the person did, and nothing waiting cures.
  NOT_CONFIGURED: ({ channel }: OtpErrorDetail = {}) =>
    `This service can't send ${channel === "email" ? "email" : "text messages or calls"} yet: its operator hasn't connected a provider. Use another method.`,
} as const satisfies Record<string, (d?: OtpErrorDetail) => string>;

export type OtpErrorCode = keyof typeof OTP_ERRORS;

export type IssueOtpInput = {
  userId: string;
  purpose: OtpPurpose;
  channel: Channel;
  /** An email address, or an E.164 number (lib/factors/phone.ts parsePhone). */
  destination: string;
  challengeId?: string | null;
};

export type IssueOtpErrorCode =
  | "COOLDOWN"
  | "RATE_LIMITED"
  | "SEND_FAILED"
  | "NO_CREDITS"
  | "COUNTRY_NOT_ALLOWED"
  | "NUMBER_NOT_ALLOWED"
  | "SMS_PAUSED"
  | "SMS_LIMITED"
  | "NOT_CONFIGURED";

export type IssueOtpResult =
  | { ok: true; expiresAt: Date; resendAt: Date }
  /** `callInstead`: a text was refused because the number is a landline; a voice call to it works. */
  | { ok: false; code: IssueOtpErrorCode; message: string; retryAfterSeconds?: number; callInstead?: boolean };

/**
 * Refusals that no waiting cures: the channel cannot work for this person now (no credits,
 * a number the team does not send to, a paused team, no provider on this server), so a
 * prompt offers the other methods.
 */
export function methodUnusable(code: string): boolean {
  return code === "NO_CREDITS" || code === "COUNTRY_NOT_ALLOWED" || code === "NUMBER_NOT_ALLOWED" || code === "SMS_PAUSED" || code === "NOT_CONFIGURED";
}

export type VerifyOtpInput = {
  userId: string;
  purpose: OtpPurpose;
  code: string;
  challengeId?: string | null;
  destination?: string;
};

export type VerifyOtpResult =
  | { ok: true; destination: string; channel: Channel }
  | { ok: false; code: "INVALID_CODE" | "NO_CODE"; message: string; attemptsLeft?: number };

function failure<C extends OtpErrorCode>(code: C, extra: { retryAfterSeconds?: number; attemptsLeft?: number } = {}) {
  return { ok: false as const, code, message: OTP_ERRORS[code](extra), ...extra };
}

/** The fraud controls' refusal of a member's code, in the person's words (naming the paying team). */
async function guardFailure(guard: GuardRefusal, teamId: string, purpose: OtpPurpose) {
  const [row] = await db().select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
  const detail: OtpErrorDetail = { guard, purpose, team: safeDisplayName(row?.name) };
  const code = GUARD_CODES[guard.code];
  const retryAfterSeconds = guard.code === "OVER_LIMIT" ? guard.retryAfterSeconds : undefined;
  return {
    ok: false as const,
    code,
    message: OTP_ERRORS[code]({ ...detail, retryAfterSeconds }),
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    ...(guard.code === "LINE_TYPE_NOT_ALLOWED" && guard.rule === "landline" ? { callInstead: true } : {}),
  };
}

const GUARD_CODES = {
  COUNTRY_NOT_ALLOWED: "COUNTRY_NOT_ALLOWED",
  LINE_TYPE_NOT_ALLOWED: "NUMBER_NOT_ALLOWED",
  SMS_PAUSED: "SMS_PAUSED",
  OVER_LIMIT: "SMS_LIMITED",
} as const satisfies Record<GuardRefusal["code"], IssueOtpErrorCode>;

/** Six digits from the CSPRNG, leading zeros kept. */
export function generateCode(): string {
  return randomInt(10 ** CODE_DIGITS)
    .toString()
    .padStart(CODE_DIGITS, "0");
}

/**
 * Which codes compete with each other: those of one sign-in challenge (whatever channel
 * they went to), or, without a challenge, those of one user, purpose and destination.
 * Issuing kills the older codes of a scope and verifying only looks at its newest code.
 */
function scope(input: { userId: string; purpose: OtpPurpose; challengeId?: string | null; destination?: string }): SQL {
  return and(
    eq(otpCodes.userId, input.userId),
    eq(otpCodes.purpose, input.purpose),
    input.challengeId ? eq(otpCodes.challengeId, input.challengeId) : isNull(otpCodes.challengeId),
    input.destination === undefined ? undefined : eq(otpCodes.destination, input.destination),
  )!;
}

const keys = {
  cooldown: (i: IssueOtpInput) => `otp:cooldown:${i.userId}:${i.purpose}:${i.challengeId ?? i.destination.toLowerCase()}`,
  // Enrollment sends go to numbers nobody has verified yet: counted apart, so a stranger
  // enrolling someone else's number cannot use up that person's own sign-in codes.
  destination: (i: IssueOtpInput) => `otp:dest:${i.purpose === "enroll" ? "enroll:" : ""}${i.destination.toLowerCase()}`,
  user: (userId: string) => `otp:user:${userId}`,
  ip: (ip: string) => `otp:ip:${ip}`,
};

type SendRefusal = { ok: false; code: "COOLDOWN" | "RATE_LIMITED"; message: string; retryAfterSeconds?: number };

/**
 * Counts this send against the resend cooldown and the hourly caps, in `ex`; returns the
 * refusal, or null to go ahead. The caps it counted go into `counted`, to be given back if
 * the provider then fails (the cooldown stays: it spaces out retries).
 */
async function countSend(ex: Executor, input: IssueOtpInput, meta: RequestMeta, counted: Counted[]): Promise<SendRefusal | null> {
  const cooldown = await rateLimit(keys.cooldown(input), { limit: 1, windowSeconds: RESEND_COOLDOWN_SECONDS }, ex);
  if (!cooldown.allowed) return failure("COOLDOWN", { retryAfterSeconds: cooldown.retryAfterSeconds });
  const caps: [string, number][] = [
    [keys.destination(input), SENDS_PER_DESTINATION_PER_HOUR],
    [keys.user(input.userId), SENDS_PER_USER_PER_HOUR],
    ...(meta.ip ? [[keys.ip(meta.ip), SENDS_PER_IP_PER_HOUR] as [string, number]] : []),
  ];
  for (const [key, limit] of caps) {
    const result = await rateLimit(key, { limit, windowSeconds: HOUR }, ex);
    if (!result.allowed) return failure("RATE_LIMITED", { retryAfterSeconds: result.retryAfterSeconds });
    counted.push(result.counted);
  }
  return null;
}

/** The provider's error, once the code's row is gone: told apart from database errors, which propagate. */
class SendFailed extends Error {}

/**
 * Sends a new code. Refuses during the resend cooldown and beyond the hourly caps. A send
 * the provider fails counts toward none of the caps (nor the team's velocity limits): after
 * an outage the person is not told "too many codes were sent" when none were; the 30 s
 * cooldown still spaces out their retries. The code is stored only as an HMAC and never
 * logged or returned.
 *
 * SMS and voice cost the paying team (`payingTeam`) one credit through `withCredit`; email
 * is free. The cooldown and caps are counted in the credit reservation's transaction, so a
 * refusal for want of credits counts toward none of them (nothing was sent) and the person
 * can send as soon as an owner adds credits. A failed send debits nothing. The paying
 * team's fraud controls decide too (lib/fraud: its countries, line types, VoIP for
 * members, its pause and velocity limits); their refusals send, spend and count nothing.
 *
 * The previous code of the same scope dies only once the new one is out: a failed resend
 * deletes the new row and leaves the code the person may already hold working.
 */
export async function issueOtp(input: IssueOtpInput, meta: RequestMeta): Promise<IssueOtpResult> {
  if (input.channel !== "email" && !/^\+[1-9]\d{6,14}$/.test(input.destination)) {
    throw new Error("issueOtp: SMS and voice destinations must be E.164 (use parsePhone)");
  }
  // Before the cooldown and the caps: a channel that cannot send counts toward nothing.
  if (!channelConfigured(input.channel)) {
    return { ok: false as const, code: "NOT_CONFIGURED" as const, message: OTP_ERRORS.NOT_CONFIGURED({ channel: input.channel }) };
  }

  const code = generateCode();
  const deliver = async (paidBy?: { ledgerId: string }) => {
    const [row] = await db()
      .insert(otpCodes)
      .values({
        userId: input.userId,
        purpose: input.purpose,
        channel: input.channel,
        destination: input.destination,
        challengeId: input.challengeId ?? null,
        codeHash: keyedHash(code, HASH_PURPOSE),
        expiresAt: sql`now() + (${CODE_TTL_SECONDS} * interval '1 second')`,
      })
      .returning({ id: otpCodes.id, createdAt: otpCodes.createdAt, expiresAt: otpCodes.expiresAt });
    try {
      const message = codeMessage(input.channel, { code, purpose: input.purpose, minutes: CODE_TTL_SECONDS / 60 });
      const sent = await send({ channel: input.channel, to: input.destination, ...message }, paidBy);
      return { id: sent.id, row: row! };
    } catch (error) {
      await db().delete(otpCodes).where(eq(otpCodes.id, row!.id));
      // A provider's error may echo the request; keep the code out of the log line.
      throw new SendFailed(error instanceof Error ? error.message.replaceAll(code, "[code]") : "unknown error");
    }
  };

  let row: { id: string; createdAt: Date; expiresAt: Date };
  const counted: Counted[] = [];
  try {
    if (input.channel === "email") {
      const refused = await countSend(db(), input, meta, counted);
      if (refused) return refused;
      ({ row } = await deliver());
    } else {
      // Every user owns a personal team from sign-up; without any team there is no one to pay.
      const teamId = await payingTeam(db(), input.userId);
      if (!teamId) return failure("NO_CREDITS");
      const message = { channel: input.channel, to: input.destination, use: "members" } as const;
      const paid = await withCredit(teamId, message, deliver, { precheck: (tx) => countSend(tx, input, meta, counted) });
      if (!paid.ok) {
        if (paid.code === "GUARD") return guardFailure(paid.refusal, teamId, input.purpose);
        return paid.code === "REFUSED" ? paid.refusal : failure("NO_CREDITS");
      }
      ({ row } = paid.sent);
    }
  } catch (error) {
    if (!(error instanceof SendFailed)) throw error;
    log.error("otp.send_failed", { channel: input.channel }, error);
    await giveBack(counted);
    return failure("SEND_FAILED", { retryAfterSeconds: RESEND_COOLDOWN_SECONDS });
  }

  const { id, createdAt, expiresAt } = row;
  const competing = scope({ ...input, destination: input.challengeId ? undefined : input.destination });
  await consumeOnce(db(), otpCodes, and(competing, ne(otpCodes.id, id), lt(otpCodes.createdAt, createdAt))!);
  return { ok: true, expiresAt, resendAt: new Date(createdAt.getTime() + RESEND_COOLDOWN_SECONDS * 1000) };
}

/**
 * Checks a code against the newest code of its scope (see `scope`). Every call on a live
 * code is one of its `MAX_ATTEMPTS` tries — counted in one conditional UPDATE, so
 * concurrent guesses cannot exceed the limit — and a right code is then consumed once, so
 * of concurrent requests with it exactly one succeeds. Wrong, expired, used and locked codes
 * all get the same answer; only a live code reports `attemptsLeft`.
 *
 * Pass a transaction as `ex` to complete the caller's step together with the code; that
 * transaction must commit on a wrong code too (return, do not throw), or the try is undone.
 */
export async function verifyOtp(input: VerifyOtpInput, ex: Executor = db()): Promise<VerifyOtpResult> {
  const [newest] = await ex.select({ id: otpCodes.id }).from(otpCodes).where(scope(input)).orderBy(desc(otpCodes.createdAt)).limit(1);
  if (!newest) return failure("NO_CODE");

  const [live] = await ex
    .update(otpCodes)
    .set({ attempts: sql`${otpCodes.attempts} + 1` })
    .where(
      and(
        eq(otpCodes.id, newest.id),
        lt(otpCodes.attempts, MAX_ATTEMPTS),
        isNull(otpCodes.consumedAt),
        gt(otpCodes.expiresAt, sql`now()`),
      ),
    )
    .returning({ codeHash: otpCodes.codeHash, attempts: otpCodes.attempts });
  if (!live) return failure("INVALID_CODE");

  // Spaces and dashes are how people copy codes; anything else simply does not match.
  const typed = input.code.replace(/[\s-]/g, "");
  if (!/^\d{6}$/.test(typed) || !matchesKeyedHash(typed, live.codeHash, HASH_PURPOSE)) {
    return failure("INVALID_CODE", { attemptsLeft: MAX_ATTEMPTS - live.attempts });
  }
  const used = await consumeOnce(ex, otpCodes, eq(otpCodes.id, newest.id));
  if (!used) return failure("INVALID_CODE");
  return { ok: true, destination: used.destination, channel: used.channel };
}
