import { eq } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { factors, teams, users } from "@/lib/db/schema";
import { hasSecondFactor } from "@/lib/factors";
import { clearSecondFactor } from "@/lib/factors/manage";
import { send } from "@/lib/messaging";
import { lockTeam, teamRole } from "./policy";
import { setupUrl } from "./reminders";
import { greeting, safeDisplayName } from "@/lib/messaging/display-name";

export const RESET_MESSAGES = {
  FORBIDDEN: "Only an owner or admin of this team can reset a member's two-factor authentication.",
  OWNER: "An admin can't reset an owner's two-factor authentication. Ask another owner.",
  SELF: "To change your own two-factor authentication, use Settings → Security.",
  NOT_FOUND: "That person is not a member of this team. Reload the page.",
  OWN_FACTOR: "Set up two-factor authentication on your own account before resetting someone else's.",
  NOTHING: "This member has no second factor to reset.",
} as const;

export type ResetResult =
  /** The member must set 2FA up again at their next sign-in (see users.enroll_required_by). */
  | { ok: true; emailed: boolean }
  | { ok: false; code: "FORBIDDEN" | "SELF" | "NOT_FOUND" | "OWN_FACTOR" | "NOTHING"; message: string };

type Refusal = Extract<ResetResult, { ok: false }>;
const refuse = (code: Refusal["code"], message: string = RESET_MESSAGES[code]): Refusal => ({ ok: false, code, message });

/**
 * An owner or admin resets a member's 2FA (the action has checked the admin's fresh second
 * factor): the member's factors, recovery codes and remembered devices go, every session and
 * unexchanged sign-in of theirs ends — the same as turning 2FA off, through the same helper —
 * `users.enroll_required_by` makes them enroll again even where no team requires 2FA, and
 * `member.two_factor_reset` is audited, in one transaction. Admins may not reset owners;
 * nobody resets themselves here. The member is then emailed: they set it up again at their
 * next sign-in. A refusal changes nothing.
 */
export async function resetMemberTwoFactor(teamId: string, actor: { id: string }, targetUserId: string, meta: RequestMeta): Promise<ResetResult> {
  const outcome = await db().transaction(async (tx) => {
    // Team first, then the member: role changes lock the team too, so the roles read here hold.
    if (!(await lockTeam(tx, teamId))) return refuse("FORBIDDEN");
    const actorRole = await teamRole(tx, teamId, actor.id);
    if (actorRole !== "owner" && actorRole !== "admin") return refuse("FORBIDDEN");
    if (targetUserId === actor.id) return refuse("SELF");
    const targetRole = await teamRole(tx, teamId, targetUserId);
    if (!targetRole) return refuse("NOT_FOUND");
    if (targetRole === "owner" && actorRole !== "owner") return refuse("FORBIDDEN", RESET_MESSAGES.OWNER);
    // The fresh second factor the action asks for means nothing from an admin who has none.
    if (!(await hasSecondFactor(actor.id, tx))) return refuse("OWN_FACTOR");

    await lockUser(tx, targetUserId);
    const removed = await tx.select({ kind: factors.kind }).from(factors).where(eq(factors.userId, targetUserId));
    if (removed.length === 0) return refuse("NOTHING");
    await clearSecondFactor(tx, targetUserId, meta);
    await tx.update(users).set({ enrollRequiredBy: teamId }).where(eq(users.id, targetUserId));
    await recordAudit(tx, {
      type: "member.two_factor_reset",
      teamId,
      userId: targetUserId,
      actorId: actor.id,
      data: { factors: removed.length, kinds: [...new Set(removed.map((f) => f.kind))] },
      ...meta,
    });
    const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId));
    const [admin] = await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, actor.id));
    return { ok: true as const, team: team!.name, admin: { ...admin!, role: actorRole } };
  });
  if (!outcome.ok) return outcome;
  return { ok: true, emailed: await emailMember(targetUserId, outcome.team, outcome.admin) };
}

/** Tells the member what happened and what to do; a lost email never undoes the reset. */
async function emailMember(userId: string, team: string, admin: { name: string; email: string; role: string }): Promise<boolean> {
  try {
    const [member] = await db().select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
    if (!member) return false;
    // Names typed by the team's people: never a link or a number to call (lib/messaging/display-name.ts).
    const teamName = safeDisplayName(team) ?? "your team";
    const adminName = safeDisplayName(admin.name);
    await send({
      channel: "email",
      to: member.email,
      subject: "Your two-factor authentication was reset",
      text: [
        greeting(member.name),
        "",
        `${adminName ?? "An admin"} (${admin.email}), an ${admin.role} of ${teamName}, reset two-factor authentication on your Tessera account.`,
        "Your second factors, recovery codes and remembered devices were removed, and you were signed out everywhere.",
        "",
        "You'll set up two-factor authentication again right after your next sign-in, here:",
        setupUrl(),
        "",
        `If you didn't expect this, contact ${adminName ?? admin.email} or another admin of ${teamName}.`,
      ].join("\n"),
    });
    return true;
  } catch (error) {
    console.error("reset notification failed", error instanceof Error ? error.message : error);
    return false;
  }
}
