import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { emailField } from "@/lib/auth/input";
import { config } from "@/lib/config";
import { db, type Executor, type Tx } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { invitations, memberships, roleEnum, teams, users, type FactorKind, type Invitation, type Role } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { parsePhone } from "@/lib/factors/codes/phone";
import { listNames } from "@/lib/format/list";
import { waitPhrase } from "@/lib/format/wait";
import { send } from "@/lib/messaging";
import { rateLimit } from "@/lib/rate-limit";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { FORBIDDEN_MESSAGE, getTeamPolicy, type TeamPolicy } from "./policy";
import { lockTeam, MANAGERS, requireTeamRole, teamRole } from "./roles";
import { needsPhoneNumbers } from "./policy-preview";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { log } from "@/lib/log";

export const INVITATION_TTL_DAYS = 7;
/** Invitations (new or resent) one team may send per hour: a team onboarding people, not a spammer. */
export const INVITES_PER_TEAM_PER_HOUR = 50;
/** Invitations one address may receive per hour, from all teams together: no mailbox gets flooded. */
export const INVITES_PER_EMAIL_PER_HOUR = 5;
const PENDING_LIMIT_MAX = 500;

export const INVITATION_MESSAGES = {
  FORBIDDEN: FORBIDDEN_MESSAGE,
  OWNER_ONLY: "Only an owner can invite someone as an owner.",
  ALREADY_MEMBER: (email: string) => `${email} is already a member of this team.`,
  PHONE_REQUIRED: "Enter their phone number: this team allows text-message (SMS) codes for signing in, so every member needs one.",
  TEAM_RATE_LIMITED: (s?: number) => `This team has sent too many invitations. Try again in ${waitPhrase(s)}.`,
  EMAIL_RATE_LIMITED: (s?: number) => `Too many invitations went to this address. Try again in ${waitPhrase(s)}.`,
  NOT_PENDING: "This invitation is no longer pending: it was accepted, revoked or replaced.",
  DELIVERY_FAILED: (email: string) => `The invitation to ${email} is saved, but its email could not be sent. Use Resend to try again.`,
  INVALID_LINK: "This invitation link is invalid or has expired.",
  WRONG_ACCOUNT: (email: string) => `This invitation is for ${email}. Sign out, then sign in or create an account with ${email} to accept it.`,
} as const;

export type InvitationErrorCode =
  | "FORBIDDEN"
  | "INVALID"
  | "ALREADY_MEMBER"
  | "RATE_LIMITED"
  | "NOT_PENDING"
  | "DELIVERY_FAILED"
  | "INVALID_LINK"
  | "WRONG_ACCOUNT";

export type InvitationFailure = {
  ok: false;
  code: InvitationErrorCode;
  message: string;
  fieldErrors?: Record<string, string[] | undefined>;
  retryAfterSeconds?: number;
};

const failure = (code: InvitationErrorCode, message: string, extra: Omit<InvitationFailure, "ok" | "code" | "message"> = {}): InvitationFailure => ({
  ok: false,
  code,
  message,
  ...extra,
});
const fieldFailure = (code: InvitationErrorCode, field: string, message: string) => failure(code, message, { fieldErrors: { [field]: [message] } });

/** "as an admin": how the email and the accept page name a role. */
export const ROLE_WITH_ARTICLE: Record<Role, string> = { owner: "an owner", admin: "an admin", member: "a member" };

/**
 * What an owner or admin types to invite someone. The phone number stays a string here:
 * whether it is required depends on the team's policy, read under the team lock.
 */
export const invitationInput = z.object({
  email: z
    .string({ error: "Enter the email address of the person to invite." })
    .trim()
    .min(1, "Enter the email address of the person to invite.")
    .pipe(emailField),
  role: z.enum(roleEnum.enumValues, { error: "Choose a role: member, admin or owner." }),
  phone: z.string({ error: "Enter a phone number, like +1 415 555 2671." }).max(32, "That phone number is too long. Check it for extra digits.").optional(),
});
export type InvitationInput = z.input<typeof invitationInput>;

/**
 * Whether an invitation needs a phone number. SMS as a primary method means members may rely
 * on it alone, so each needs a number from day one (DESIGN: "cannot add a member without one
 * then"); as a backup it is optional; without SMS there is nothing to use it for.
 */
export function phoneRequirement(policy: Pick<TeamPolicy, "allowedMethods" | "smsBackupOnly">): "required" | "optional" | "none" {
  if (!policy.allowedMethods.includes("sms")) return "none";
  return needsPhoneNumbers(policy) ? "required" : "optional";
}

export type PendingInvitation = {
  id: string;
  email: string;
  role: Role;
  phone: string | null;
  invitedById: string | null;
  invitedByName: string | null;
  createdAt: Date;
  expiresAt: Date;
};

export type InvitationResult = { ok: true; invitation: PendingInvitation } | InvitationFailure;

const pendingColumns = {
  id: invitations.id,
  email: invitations.email,
  role: invitations.role,
  phone: invitations.phone,
  invitedById: invitations.invitedBy,
  invitedByName: users.name,
  createdAt: invitations.createdAt,
  expiresAt: invitations.expiresAt,
};

const live = () => and(isNull(invitations.consumedAt), gt(invitations.expiresAt, sql`now()`));

/** Locks the team and returns the actor's role when they may manage its invitations (owner or admin). */
async function adminRole(tx: Tx, teamId: string, actorId: string): Promise<"owner" | "admin" | null> {
  if (!z.uuid().safeParse(teamId).success) return null;
  return requireTeamRole(tx, teamId, actorId, MANAGERS);
}

/** Counts one invitation email against the team's and the address's hourly limits. */
async function countInvitation(tx: Tx, teamId: string, email: string): Promise<InvitationFailure | null> {
  const byTeam = await rateLimit(`invite:team:${teamId}`, { limit: INVITES_PER_TEAM_PER_HOUR, windowSeconds: 3600 }, tx);
  if (!byTeam.allowed) {
    return failure("RATE_LIMITED", INVITATION_MESSAGES.TEAM_RATE_LIMITED(byTeam.retryAfterSeconds), { retryAfterSeconds: byTeam.retryAfterSeconds });
  }
  const byEmail = await rateLimit(`invite:email:${email}`, { limit: INVITES_PER_EMAIL_PER_HOUR, windowSeconds: 3600 }, tx);
  if (!byEmail.allowed) {
    return failure("RATE_LIMITED", INVITATION_MESSAGES.EMAIL_RATE_LIMITED(byEmail.retryAfterSeconds), { retryAfterSeconds: byEmail.retryAfterSeconds });
  }
  return null;
}

type Letter = { to: string; token: string; role: Role; teamName: string; inviter: { name: string; email: string }; policy: TeamPolicy };

/** What the email needs, read in the transaction that issued the token. */
async function letterFor(tx: Tx, invitation: { teamId: string; email: string; role: Role }, token: string, actorId: string): Promise<Letter> {
  const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, invitation.teamId));
  const [inviter] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actorId));
  const policy = (await getTeamPolicy(invitation.teamId, tx))!;
  return { to: invitation.email, token, role: invitation.role, teamName: team!.name, inviter: inviter!, policy };
}

/** A team's allowed methods in words: "Authenticator app, Text message (SMS) and Security key or passkey — text messages as a backup only". */
export function allowedMethodsPhrase(policy: Pick<TeamPolicy, "allowedMethods" | "smsBackupOnly">): string {
  const names = listNames(policy.allowedMethods.map((kind) => FACTOR_NAMES[kind]));
  return policy.smsBackupOnly && policy.allowedMethods.includes("sms") ? `${names} — text messages as a backup only` : names;
}

/** The invitation email: who invites, to which team, in which role, and what the team's 2FA policy asks of them. */
function invitationEmail(letter: Letter): { subject: string; text: string } {
  const link = new URL(`/invite/${letter.token}`, config.appUrl).toString();
  // Names are typed by whoever invites: one line at most, and never a link or a number to call.
  const name = safeDisplayName(letter.inviter.name) ?? "Someone";
  const email = letter.inviter.email;
  const teamName = safeDisplayName(letter.teamName);
  const twoFactor = letter.policy.requireTwoFactor
    ? [
        "",
        `${teamName ?? "The team"} requires two-factor authentication: you will set up a second factor before you can use the team.`,
        `Allowed methods: ${allowedMethodsPhrase(letter.policy)}.`,
      ]
    : [];
  return {
    subject: `${name} invited you to join ${teamName ?? "a team"} on Tessera`,
    text: [
      "Hi,",
      "",
      `${name} (${email}) invited you to join ${teamName ? `the team ${teamName}` : "a team"} on Tessera as ${ROLE_WITH_ARTICLE[letter.role]}.`,
      "",
      `To accept, open this link within ${INVITATION_TTL_DAYS} days and sign in, or create an account with this email address:`,
      "",
      link,
      ...twoFactor,
      "",
      "The link works once. If you weren't expecting this invitation, ignore this email.",
    ].join("\n"),
  };
}

/** Sends the invitation email after its transaction committed; a failure leaves the invitation pending, to be resent. */
async function deliver(letter: Letter, invitation: PendingInvitation): Promise<InvitationResult> {
  try {
    await send({ channel: "email", to: letter.to, ...invitationEmail(letter) });
  } catch (error) {
    // A provider's error may echo the message, and the message holds the link: log only the kind of failure.
    log.error("invitations.email_failed", { invitationId: invitation.id, errorName: error instanceof Error ? error.name : typeof error });
    return failure("DELIVERY_FAILED", INVITATION_MESSAGES.DELIVERY_FAILED(letter.to));
  }
  return { ok: true, invitation };
}

/**
 * Invites someone to a team by email. The actor must be an owner or admin of *this* team
 * (checked in the database, under the team lock); only an owner may invite an owner, so an
 * admin can never hand out more power than they hold. The phone number is required while
 * the team allows SMS as a primary method and is stored in E.164. A pending invitation to
 * the same address is replaced (its link dies) in the same transaction that writes the new
 * one and its audit event; the email goes out after the commit. Refusals change nothing.
 */
export async function createInvitation(teamId: string, actor: { id: string }, input: unknown, meta: RequestMeta): Promise<InvitationResult> {
  const parsed = invitationInput.safeParse(input);
  const token = randomToken();
  const outcome = await db().transaction(async (tx): Promise<{ ok: true; invitation: PendingInvitation; letter: Letter } | InvitationFailure> => {
    const actorRole = await adminRole(tx, teamId, actor.id);
    if (!actorRole) return failure("FORBIDDEN", INVITATION_MESSAGES.FORBIDDEN);
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
      return failure("INVALID", Object.values(fieldErrors).flat().find(Boolean) ?? "Check the invitation and try again.", { fieldErrors });
    }
    const { email, role } = parsed.data;
    if (role === "owner" && actorRole !== "owner") return fieldFailure("FORBIDDEN", "role", INVITATION_MESSAGES.OWNER_ONLY);

    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.teamId, teamId), eq(sql`lower(${users.email})`, email)));
    if (member) return fieldFailure("ALREADY_MEMBER", "email", INVITATION_MESSAGES.ALREADY_MEMBER(email));

    const policy = (await getTeamPolicy(teamId, tx))!;
    const typedPhone = parsed.data.phone?.trim() ?? "";
    let phone: string | null = null;
    if (typedPhone) {
      const checked = parsePhone(typedPhone);
      if (!checked.ok) return fieldFailure("INVALID", "phone", checked.message);
      phone = checked.e164;
    } else if (phoneRequirement(policy) === "required") {
      return fieldFailure("INVALID", "phone", INVITATION_MESSAGES.PHONE_REQUIRED);
    }

    const limited = await countInvitation(tx, teamId, email);
    if (limited) return limited;

    const replaced = await tx
      .update(invitations)
      .set({ consumedAt: sql`now()` })
      .where(and(eq(invitations.teamId, teamId), eq(invitations.email, email), isNull(invitations.consumedAt)))
      .returning({ id: invitations.id });
    const [row] = await tx
      .insert(invitations)
      .values({
        teamId,
        email,
        role,
        phone,
        tokenHash: hashToken(token),
        invitedBy: actor.id,
        expiresAt: sql`now() + (${INVITATION_TTL_DAYS} * interval '1 day')`,
      })
      .returning();
    await recordAudit(tx, {
      type: "invitation.sent",
      teamId,
      actorId: actor.id,
      data: { invitationId: row!.id, email, role, ...(replaced.length > 0 ? { replaced: replaced.map((r) => r.id) } : {}) },
      ...meta,
    });
    const letter = await letterFor(tx, row!, token, actor.id);
    return { ok: true, invitation: toPending(row!, letter.inviter.name), letter };
  });
  if (!outcome.ok) return outcome;
  return deliver(outcome.letter, outcome.invitation);
}

function toPending(row: Invitation, invitedByName: string | null): PendingInvitation {
  const { id, email, role, phone, invitedBy, createdAt, expiresAt } = row;
  return { id, email, role, phone, invitedById: invitedBy, invitedByName, createdAt, expiresAt };
}

/**
 * A new link for a pending invitation, valid 7 days from now; the old link dies at once (the
 * stored hash is replaced). The resender becomes the inviter the email names. Resending an
 * owner invitation takes an owner, as sending one does.
 */
export async function resendInvitation(teamId: string, actor: { id: string }, invitationId: string, meta: RequestMeta): Promise<InvitationResult> {
  const token = randomToken();
  const outcome = await db().transaction(async (tx): Promise<{ ok: true; invitation: PendingInvitation; letter: Letter } | InvitationFailure> => {
    const actorRole = await adminRole(tx, teamId, actor.id);
    if (!actorRole) return failure("FORBIDDEN", INVITATION_MESSAGES.FORBIDDEN);
    if (!z.uuid().safeParse(invitationId).success) return failure("NOT_PENDING", INVITATION_MESSAGES.NOT_PENDING);
    const [current] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.id, invitationId), eq(invitations.teamId, teamId), isNull(invitations.consumedAt)));
    if (!current) return failure("NOT_PENDING", INVITATION_MESSAGES.NOT_PENDING);
    if (current.role === "owner" && actorRole !== "owner") return failure("FORBIDDEN", INVITATION_MESSAGES.OWNER_ONLY);

    const limited = await countInvitation(tx, teamId, current.email);
    if (limited) return limited;

    const [row] = await tx
      .update(invitations)
      .set({ tokenHash: hashToken(token), invitedBy: actor.id, expiresAt: sql`now() + (${INVITATION_TTL_DAYS} * interval '1 day')` })
      .where(and(eq(invitations.id, current.id), isNull(invitations.consumedAt)))
      .returning();
    await recordAudit(tx, {
      type: "invitation.sent",
      teamId,
      actorId: actor.id,
      data: { invitationId: row!.id, email: row!.email, role: row!.role, resent: true },
      ...meta,
    });
    const letter = await letterFor(tx, row!, token, actor.id);
    return { ok: true, invitation: toPending(row!, letter.inviter.name), letter };
  });
  if (!outcome.ok) return outcome;
  return deliver(outcome.letter, outcome.invitation);
}

/** Ends a pending invitation (its link stops working). Any owner or admin of the team may: taking access away is always safe. */
export async function revokeInvitation(
  teamId: string,
  actor: { id: string },
  invitationId: string,
  meta: RequestMeta,
): Promise<{ ok: true; email: string } | InvitationFailure> {
  return db().transaction(async (tx): Promise<{ ok: true; email: string } | InvitationFailure> => {
    if (!(await adminRole(tx, teamId, actor.id))) return failure("FORBIDDEN", INVITATION_MESSAGES.FORBIDDEN);
    if (!z.uuid().safeParse(invitationId).success) return failure("NOT_PENDING", INVITATION_MESSAGES.NOT_PENDING);
    const revoked = await consumeOnce(tx, invitations, and(eq(invitations.id, invitationId), eq(invitations.teamId, teamId))!);
    if (!revoked) return failure("NOT_PENDING", INVITATION_MESSAGES.NOT_PENDING);
    await recordAudit(tx, {
      type: "invitation.revoked",
      teamId,
      actorId: actor.id,
      data: { invitationId: revoked.id, email: revoked.email, role: revoked.role },
      ...meta,
    });
    return { ok: true, email: revoked.email };
  });
}

export type PendingList = { total: number; invitations: PendingInvitation[] };

/**
 * The team's invitations that can still be accepted, newest first, at most `limit` of them
 * (100 unless asked; 500 at most) with the total. For pages that already checked the role.
 */
export async function listPendingInvitations(teamId: string, options: { limit?: number } = {}): Promise<PendingList> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), PENDING_LIMIT_MAX));
  const rows = await db()
    .select({ invitation: pendingColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.teamId, teamId), live()))
    .orderBy(desc(invitations.createdAt), desc(invitations.id))
    .limit(limit);
  return { total: rows[0]?.total ?? 0, invitations: rows.map((row) => row.invitation) };
}

export type InvitationDetails = {
  teamId: string;
  teamName: string;
  /** Null when the inviter's account is gone. */
  inviterName: string | null;
  email: string;
  role: Role;
  expiresAt: Date;
  requireTwoFactor: boolean;
  allowedMethods: FactorKind[];
  smsBackupOnly: boolean;
};

/** The token's live invitation, or null: unknown, expired, used, revoked and replaced links look the same. */
async function findLive(ex: Executor, token: string) {
  if (!token || token.length > 200) return null;
  const [row] = await ex
    .select({
      invitation: invitations,
      teamName: teams.name,
      inviterName: users.name,
      requireTwoFactor: teams.requireTwoFactor,
      allowedMethods: teams.allowedMethods,
      smsBackupOnly: teams.smsBackupOnly,
    })
    .from(invitations)
    .innerJoin(teams, eq(teams.id, invitations.teamId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.tokenHash, hashToken(token)), live()));
  return row ?? null;
}

/** What the accept page shows about a link; every dead link gets one generic answer. */
export async function describeInvitation(token: string): Promise<{ ok: true; invitation: InvitationDetails } | InvitationFailure> {
  const row = await findLive(db(), token);
  if (!row) return failure("INVALID_LINK", INVITATION_MESSAGES.INVALID_LINK);
  const { invitation, teamName, inviterName, requireTwoFactor, allowedMethods, smsBackupOnly } = row;
  return {
    ok: true,
    invitation: {
      teamId: invitation.teamId,
      teamName,
      inviterName,
      email: invitation.email,
      role: invitation.role,
      expiresAt: invitation.expiresAt,
      requireTwoFactor,
      allowedMethods,
      smsBackupOnly,
    },
  };
}

export type AcceptResult =
  | {
      ok: true;
      teamId: string;
      teamName: string;
      /** The user's role in the team now (their existing one when they were a member already). */
      role: Role;
      alreadyMember: boolean;
      /** The number the inviter gave, to prefill SMS enrollment; null when none. */
      phone: string | null;
    }
  | InvitationFailure;

/**
 * Joins the signed-in user to the invitation's team with the invited role, once: of any
 * number of concurrent accepts one consumes the link. The account's email must be the
 * invited one (case-insensitively); another account is told which one to use and the link
 * stays live. A user who is a member already uses up the link and keeps their role.
 */
export async function acceptInvitation(token: string, user: { id: string; email: string }, meta: RequestMeta): Promise<AcceptResult> {
  return db().transaction(async (tx): Promise<AcceptResult> => {
    const found = await findLive(tx, token);
    if (!found) return failure("INVALID_LINK", INVITATION_MESSAGES.INVALID_LINK);
    const { invitation, teamName } = found;
    if (invitation.email !== user.email.trim().toLowerCase()) return failure("WRONG_ACCOUNT", INVITATION_MESSAGES.WRONG_ACCOUNT(invitation.email));

    // Queue behind other membership changes of the team, as every team change does.
    await lockTeam(tx, invitation.teamId);
    const won = await consumeOnce(tx, invitations, and(eq(invitations.id, invitation.id), gt(invitations.expiresAt, sql`now()`))!);
    if (!won) return failure("INVALID_LINK", INVITATION_MESSAGES.INVALID_LINK);

    const existing = await teamRole(tx, invitation.teamId, user.id);
    if (!existing) await tx.insert(memberships).values({ teamId: invitation.teamId, userId: user.id, role: invitation.role });
    await recordAudit(tx, {
      type: "invitation.accepted",
      teamId: invitation.teamId,
      userId: user.id,
      data: { invitationId: invitation.id, role: existing ?? invitation.role, invitedBy: invitation.invitedBy, ...(existing ? { alreadyMember: true } : {}) },
      ...meta,
    });
    return { ok: true, teamId: invitation.teamId, teamName, role: existing ?? invitation.role, alreadyMember: Boolean(existing), phone: invitation.phone };
  });
}
