import { and, eq, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Tx } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { factors, memberships, teams, twoFactorResets, users } from "@/lib/db/schema";
import { hasSecondFactor } from "@/lib/factors";
import { formatTime } from "@/lib/format/time";
import { send } from "@/lib/messaging";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { MANAGERS, requireTeamRole, teamRole } from "./roles";
import { greeting, safeDisplayName } from "@/lib/messaging/display-name";
import { liveResetRequest, RESET_REQUEST_DAYS, resetState } from "./reset-requests";
import { log } from "@/lib/log";

const hours = () => config.minMembershipHoursForReset;

export const RESET_MESSAGES = {
  FORBIDDEN: "Only an owner or admin of this team can reset a member's two-factor authentication.",
  OWNER: "An admin can't reset an owner's two-factor authentication. Ask another owner.",
  SELF: "To change your own two-factor authentication, use Settings → Security.",
  NOT_FOUND: "That person is not a member of this team. Reload the page.",
  OWN_FACTOR: "Set up two-factor authentication on your own account before resetting someone else's.",
  NOTHING: "This member has no second factor to reset.",
  get TOO_NEW() {
    return `This member joined the team less than ${hours()} hours ago. You can reset their two-factor authentication once they've been a member for ${hours()} hours.`;
  },
  PENDING: "A reset your team asked for is already waiting for this member. Withdraw it first to ask again.",
  /** Never names the other team: that would tell this team where else the member belongs. */
  WAITING:
    "Another team this member belongs to also requires two-factor authentication; the reset takes effect only once an owner or admin of that team resets it too.",
  NO_REQUEST: "There is no reset request from this team for this member. Reload the page.",
} as const;

type RefusalCode = "FORBIDDEN" | "SELF" | "NOT_FOUND" | "OWN_FACTOR" | "NOTHING" | "TOO_NEW" | "PENDING";

export type ResetResult =
  /** `ready`: the member may use it at their next sign-in; otherwise `message` says what it waits for. */
  | { ok: true; emailed: boolean; ready: true }
  | { ok: true; emailed: boolean; ready: false; message: string }
  | { ok: false; code: RefusalCode; message: string };

type Refusal = Extract<ResetResult, { ok: false }>;
const refuse = (code: RefusalCode, message: string = RESET_MESSAGES[code]): Refusal => ({ ok: false, code, message });

/** Owner or admin of the team, and allowed to act on this member (admins not on owners; nobody on themselves). */
async function checkRoles(tx: Tx, teamId: string, actorId: string, targetUserId: string): Promise<{ refusal: Refusal; actorRole?: never } | { refusal?: never; actorRole: "owner" | "admin" }> {
  // Team first, then the member: role changes lock the team too, so the roles read here hold.
  const actorRole = await requireTeamRole(tx, teamId, actorId, MANAGERS);
  if (!actorRole) return { refusal: refuse("FORBIDDEN") };
  if (targetUserId === actorId) return { refusal: refuse("SELF") };
  const targetRole = await teamRole(tx, teamId, targetUserId);
  if (!targetRole) return { refusal: refuse("NOT_FOUND") };
  if (targetRole === "owner" && actorRole !== "owner") return { refusal: refuse("FORBIDDEN", RESET_MESSAGES.OWNER) };
  return { actorRole };
}

/**
 * An owner or admin asks to reset a member's 2FA (the action has checked the admin's fresh
 * second factor). Nothing is removed here: a `two_factor_resets` row (7 days, with the hash of
 * the member's "keep my 2FA" token) and `member.two_factor_reset` are written in one
 * transaction, and the member is emailed. The member uses the reset at their next sign-in,
 * after their password *and* a code sent to their address (lib/auth/admin-reset.ts), and only
 * once every other team of theirs that requires 2FA has asked too (lib/teams/reset-requests.ts).
 * Refused, with nothing written: the usual role rules, a member who joined less than 24 hours
 * ago (a team made to attack someone would otherwise invite and reset them at once), and a
 * request of this team already live.
 */
export async function resetMemberTwoFactor(teamId: string, actor: { id: string }, targetUserId: string, meta: RequestMeta): Promise<ResetResult> {
  const token = randomToken();
  const outcome = await db().transaction(async (tx) => {
    const roles = await checkRoles(tx, teamId, actor.id, targetUserId);
    if (roles.refusal) return roles.refusal;
    // The fresh second factor the action asks for means nothing from an admin who has none.
    if (!(await hasSecondFactor(actor.id, tx))) return refuse("OWN_FACTOR");

    await lockUser(tx, targetUserId);
    const held = await tx.select({ kind: factors.kind }).from(factors).where(eq(factors.userId, targetUserId));
    if (held.length === 0) return refuse("NOTHING");
    const [{ fresh }] = (await tx
      .select({ fresh: sql<boolean>`${memberships.createdAt} > now() - (${hours()} * interval '1 hour')` })
      .from(memberships)
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, targetUserId)))) as [{ fresh: boolean }];
    if (fresh) return refuse("TOO_NEW");
    const [live] = await tx
      .select({ id: twoFactorResets.id })
      .from(twoFactorResets)
      .where(and(eq(twoFactorResets.userId, targetUserId), eq(twoFactorResets.teamId, teamId), liveResetRequest));
    if (live) return refuse("PENDING");

    const [request] = await tx
      .insert(twoFactorResets)
      .values({
        userId: targetUserId,
        teamId,
        requestedBy: actor.id,
        cancelTokenHash: hashToken(token),
        expiresAt: sql`now() + (${RESET_REQUEST_DAYS} * interval '1 day')`,
      })
      .returning({ id: twoFactorResets.id, expiresAt: twoFactorResets.expiresAt });
    const state = (await resetState(tx, targetUserId))!;
    await recordAudit(tx, {
      type: "member.two_factor_reset",
      teamId,
      userId: targetUserId,
      actorId: actor.id,
      data: { requestId: request!.id, ready: state.ready, factors: held.length, kinds: [...new Set(held.map((f) => f.kind))] },
      ...meta,
    });
    const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
    const [admin] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
    return { ok: true as const, ready: state.ready, expiresAt: request!.expiresAt, team: team!.name, admin: { name: admin!.name, role: roles.actorRole } };
  });
  if (!outcome.ok) return outcome;
  const emailed = await emailMember(targetUserId, { ...outcome, token });
  return outcome.ready ? { ok: true, emailed, ready: true } : { ok: true, emailed, ready: false, message: RESET_MESSAGES.WAITING };
}

/** An owner or admin withdraws their team's live request for this member (audited). */
export async function withdrawMemberReset(
  teamId: string,
  actor: { id: string },
  targetUserId: string,
  meta: RequestMeta,
): Promise<{ ok: true } | { ok: false; message: string }> {
  return db().transaction(async (tx) => {
    const roles = await checkRoles(tx, teamId, actor.id, targetUserId);
    if (roles.refusal) return { ok: false as const, message: roles.refusal.message };
    const withdrawn = await tx
      .update(twoFactorResets)
      .set({ canceledAt: sql`now()` })
      .where(and(eq(twoFactorResets.userId, targetUserId), eq(twoFactorResets.teamId, teamId), liveResetRequest))
      .returning({ id: twoFactorResets.id });
    if (withdrawn.length === 0) return { ok: false as const, message: RESET_MESSAGES.NO_REQUEST };
    await recordAudit(tx, { type: "member.two_factor_reset_withdrawn", teamId, userId: targetUserId, actorId: actor.id, data: { requestId: withdrawn[0]!.id }, ...meta });
    return { ok: true as const };
  });
}

/**
 * Tells the member what was asked, what happens next and how to refuse it. Names typed by
 * whoever made the team pass the Verify API's sanitising (no links, addresses or numbers),
 * and the admin's address is left out: our sender must not relay "contact me at…" from a
 * stranger. A lost email never undoes the request.
 */
async function emailMember(
  userId: string,
  request: { token: string; ready: boolean; expiresAt: Date; team: string; admin: { name: string; role: string } },
): Promise<boolean> {
  try {
    const [member] = await db().select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
    if (!member) return false;
    // Names typed by the team's people: never a link or a number to call (lib/messaging/display-name.ts).
    const admin = safeDisplayName(request.admin.name) ?? "An admin";
    const team = safeDisplayName(request.team) ?? "your team";
    const keep = new URL(`/keep-2fa/${request.token}`, config.appUrl).toString();
    await send({
      channel: "email",
      to: member.email,
      subject: "A reset of your two-factor authentication was requested",
      text: [
        greeting(member.name),
        "",
        `${admin}, an ${request.admin.role} of ${team}, asked to reset two-factor authentication on your Tessera account. Nothing has been removed.`,
        ...(request.ready ? [] : ["", "Another team you belong to also requires two-factor authentication: the reset can be used only once an owner or admin of that team asks for it too."]),
        "",
        "What happens next:",
        "- If you still have your second factor, sign in as usual. Nothing changes.",
        `- If you lost it, sign in with your password and choose "Lost your factors?". We'll send a code to this address; entering it removes your old second factors, recovery codes and remembered devices, and you set up two-factor authentication again right away.`,
        `The request expires on ${formatTime(request.expiresAt)}.`,
        "",
        "This wasn't requested? Keep your two-factor authentication:",
        keep,
        "",
        "That page cancels the reset. Someone may also know your password: change it under Settings → Security.",
      ].join("\n"),
    });
    return true;
  } catch (error) {
    log.error("teams.reset_notification_failed", {}, error);
    return false;
  }
}
