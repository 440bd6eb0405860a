import { and, asc, eq, inArray, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Tx } from "@/lib/db";
import { factors, memberships, teams, users, type FactorKind } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { listNames } from "@/lib/format/list";
import { timeLeftPhrase } from "@/lib/format/wait";
import { send } from "@/lib/messaging";
import { clearRateLimit, peekRateLimit, rateLimit } from "@/lib/rate-limit";
import { acceptedKinds } from "./accepted-kinds";
import { FACTOR_KINDS } from "./policy";
import { MANAGERS, requireTeamRole } from "./roles";
import { greeting, safeDisplayName } from "@/lib/messaging/display-name";
import { log } from "@/lib/log";

/** Where a person sets up a second factor (the enrollment wizard). */
export const setupUrl = () => `${config.appUrl.href.replace(/\/+$/, "")}/setup-2fa`;

/** A member gets at most one reminder per team a day; a team sends at most 5 bulk reminders an hour. */
export const REMINDER_LIMITS = {
  perMember: { limit: 1, windowSeconds: 24 * 60 * 60 },
  perTeam: { limit: 5, windowSeconds: 60 * 60 },
} as const;

const memberKey = (teamId: string, userId: string) => `reminder:member:${teamId}:${userId}`;
const teamKey = (teamId: string) => `reminder:team:${teamId}`;

export type ReminderPolicy = { allowedMethods: FactorKind[]; smsBackupOnly: boolean };
export type ReminderResult = { ok: true; sent: number } | { ok: false; code: "FORBIDDEN" | "RATE_LIMITED" | "NOTHING_TO_SEND"; message: string };

export const REMINDER_MESSAGES = {
  FORBIDDEN: "Only an owner or admin of this team can send reminders.",
  NOTHING_TO_SEND: "Everyone selected already has a second factor the team accepts.",
} as const;

type Recipient = { userId: string; name: string; email: string };

const uuid = z.uuid();

/**
 * Emails members of the team who have no factor the policy accepts — the given policy (a
 * preview on Team → Security) or the team's saved one — optionally only `userIds` — asking
 * them to set one up. Owners and admins only. A member gets one reminder per team a day
 * (members reminded already are skipped and not counted); a reminder to more than one
 * member counts against the team's 5 an hour. One `member.reminded` event per call.
 */
export async function sendEnrollmentReminders(
  teamId: string,
  actor: { id: string },
  meta: RequestMeta,
  options: { userIds?: string[]; policy?: ReminderPolicy } = {},
): Promise<ReminderResult> {
  const only = options.userIds?.filter((id) => uuid.safeParse(id).success);
  const bulk = only === undefined || only.length !== 1;
  const planned = await db().transaction(async (tx) => {
    // One reminder run per team at a time: the team's hourly count is checked and taken together.
    const role = await requireTeamRole(tx, teamId, actor.id, MANAGERS);
    if (!role) return refuse("FORBIDDEN", REMINDER_MESSAGES.FORBIDDEN);
    const [team] = await tx
      .select({ name: teams.name, requireTwoFactor: teams.requireTwoFactor, allowedMethods: teams.allowedMethods, smsBackupOnly: teams.smsBackupOnly })
      .from(teams)
      .where(eq(teams.id, teamId));
    const policy = options.policy
      ? { allowedMethods: FACTOR_KINDS.filter((kind) => options.policy!.allowedMethods.includes(kind)), smsBackupOnly: options.policy.smsBackupOnly }
      : { allowedMethods: team!.allowedMethods, smsBackupOnly: team!.smsBackupOnly };

    const candidates = only?.length === 0 ? [] : await recipients(tx, teamId, policy, only);
    if (candidates.length === 0) return refuse("NOTHING_TO_SEND", REMINDER_MESSAGES.NOTHING_TO_SEND);
    if (bulk) {
      const used = await peekRateLimit(teamKey(teamId), tx);
      if (used.count >= REMINDER_LIMITS.perTeam.limit) {
        return refuse("RATE_LIMITED", `This team has sent ${REMINDER_LIMITS.perTeam.limit} reminders in the last hour. Try again in ${timeLeftPhrase(used.retryAfterSeconds * 1000)}.`);
      }
    }
    const due: Recipient[] = [];
    let retryAfterSeconds = 0;
    for (const candidate of candidates) {
      const limit = await rateLimit(memberKey(teamId, candidate.userId), REMINDER_LIMITS.perMember, tx);
      if (limit.allowed) due.push(candidate);
      else retryAfterSeconds = Math.max(retryAfterSeconds, limit.retryAfterSeconds);
    }
    if (due.length === 0) {
      const who = candidates.length === 1 ? `${candidates[0]!.name} was` : "Everyone selected was";
      return refuse("RATE_LIMITED", `${who} already reminded in the last 24 hours. Try again in ${timeLeftPhrase(retryAfterSeconds * 1000)}.`);
    }
    if (bulk) await rateLimit(teamKey(teamId), REMINDER_LIMITS.perTeam, tx);
    const [sender] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
    return {
      ok: true as const,
      due,
      skipped: candidates.length - due.length,
      email: { team: team!.name, sender: sender!.name, senderRole: role, required: !options.policy && team!.requireTwoFactor, policy },
    };
  });
  if (!planned.ok) return planned;

  let sent = 0;
  let firstError: unknown;
  for (const member of planned.due) {
    try {
      const team = safeDisplayName(planned.email.team);
      await send({ channel: "email", to: member.email, subject: `${team ?? "Your team"} asks you to set up two-factor authentication`, text: reminderText(member, planned.email) });
      sent += 1;
    } catch (error) {
      firstError ??= error;
      // Not reminded after all: the member may be reminded again without waiting a day.
      await clearRateLimit(memberKey(teamId, member.userId));
    }
  }
  const failed = planned.due.length - sent;
  if (failed > 0) log.error("teams.reminders_failed", { teamId, failed }, firstError);
  await recordAudit(db(), {
    type: "member.reminded",
    teamId,
    actorId: actor.id,
    userId: only?.length === 1 && sent === 1 ? only[0] : null,
    data: { count: sent, ...(planned.skipped > 0 ? { skipped: planned.skipped } : {}), ...(failed > 0 ? { failed } : {}) },
    ...meta,
  });
  // Nothing went out: that is a failure to report, not a success of zero.
  if (sent === 0) throw new Error("Reminder emails could not be sent.", { cause: firstError });
  return { ok: true, sent };
}

function refuse(code: Extract<ReminderResult, { ok: false }>["code"], message: string) {
  return { ok: false as const, code, message };
}

/** Members without a factor the policy accepts. */
async function recipients(tx: Tx, teamId: string, policy: ReminderPolicy, only?: string[]): Promise<Recipient[]> {
  const kinds = acceptedKinds(policy);
  const accepted = tx
    .select({ one: sql`1` })
    .from(factors)
    .where(and(eq(factors.userId, memberships.userId), kinds.length > 0 ? inArray(factors.kind, kinds) : sql`false`));
  return tx
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.teamId, teamId), notExists(accepted), only ? inArray(memberships.userId, only) : undefined))
    .orderBy(asc(users.id));
}

function reminderText(
  member: Recipient,
  email: { team: string; sender: string; senderRole: string; required: boolean; policy: ReminderPolicy },
): string {
  const { policy } = email;
  const methods = listNames(acceptedKinds(policy).map((kind) => FACTOR_NAMES[kind].replace(/^./, (c) => c.toLowerCase())));
  const smsBackup = policy.smsBackupOnly && policy.allowedMethods.includes("sms");
  // Names typed by the team's people: never a link or a number to call (lib/messaging/display-name.ts).
  const team = safeDisplayName(email.team);
  const sender = safeDisplayName(email.sender);
  const who = `an ${email.senderRole} of ${team ?? "your team"}`;
  return [
    greeting(member.name),
    "",
    `${sender ? `${sender}, ${who},` : who.replace(/^./, (c) => c.toUpperCase())} asks you to set up two-factor authentication on your Tessera account${email.required ? ": the team requires it" : ""}.`,
    ...(methods ? [`${team ?? "The team"} accepts: ${methods}.${smsBackup ? " Text messages (SMS) count as a backup only, next to one of those." : ""}`] : []),
    "",
    "Set it up here (it takes a minute):",
    setupUrl(),
    "",
    "A second factor keeps your account safe even if your password leaks.",
  ].join("\n");
}
