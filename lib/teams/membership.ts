import { and, count, eq } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Tx } from "@/lib/db";
import { defineErrorCodes, type CodeOf, type Refusal } from "@/lib/refusal";
import { memberships, roleEnum, type Role } from "@/lib/db/schema";
import { revokeTrustedDevices } from "@/lib/factors/trusted-devices";
import { OWNERS, requireTeamRole, teamRole } from "./roles";

export const ROLES: readonly Role[] = roleEnum.enumValues;

export const MEMBERSHIP_ERRORS = defineErrorCodes({
  FORBIDDEN: "Only an owner of this team can change roles or remove members.",
  NOT_FOUND: "That person is not a member of this team. Reload the page.",
  INVALID_ROLE: "Choose owner, admin or member.",
  LAST_OWNER: "A team always keeps at least one owner. Make someone else an owner first.",
});

export type MembershipResult = { ok: true; changed: boolean } | Refusal<CodeOf<typeof MEMBERSHIP_ERRORS>>;

const { refuse } = MEMBERSHIP_ERRORS;

/**
 * Opens the owner-only transaction both changes share: the team row locked first, so that
 * role changes and removals in one team run one at a time and the "another owner is left"
 * count below cannot be read by two of them at once (two owners demoting each other).
 */
async function asOwner(teamId: string, actorId: string, work: (tx: Tx) => Promise<MembershipResult>): Promise<MembershipResult> {
  return db().transaction(async (tx): Promise<MembershipResult> => {
    if (!(await requireTeamRole(tx, teamId, actorId, OWNERS))) return refuse("FORBIDDEN");
    return work(tx);
  });
}

async function ownerCount(tx: Tx, teamId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

/**
 * Gives a member another role. Owners only; the last owner cannot step down or be demoted.
 * Audited as `member.role_changed` in the same transaction; the same role again changes nothing.
 */
export async function changeRole(teamId: string, actor: { id: string }, targetUserId: string, role: unknown, meta: RequestMeta): Promise<MembershipResult> {
  return asOwner(teamId, actor.id, async (tx) => {
    if (typeof role !== "string" || !(ROLES as readonly string[]).includes(role)) return refuse("INVALID_ROLE");
    const next = role as Role;
    const current = await teamRole(tx, teamId, targetUserId);
    if (!current) return refuse("NOT_FOUND");
    if (current === next) return { ok: true, changed: false };
    if (current === "owner" && (await ownerCount(tx, teamId)) <= 1) return refuse("LAST_OWNER");
    await tx
      .update(memberships)
      .set({ role: next })
      .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, targetUserId)));
    await recordAudit(tx, { type: "member.role_changed", teamId, userId: targetUserId, actorId: actor.id, data: { from: current, to: next }, ...meta });
    return { ok: true, changed: true };
  });
}

/**
 * Removes a member from the team (an owner may remove themselves while another owner is
 * left). Only the membership goes — and the devices remembered under this team's period:
 * the person's account, factors and sessions are theirs. Audited as `member.removed` in
 * the same transaction.
 */
export async function removeMember(teamId: string, actor: { id: string }, targetUserId: string, meta: RequestMeta): Promise<MembershipResult> {
  return asOwner(teamId, actor.id, async (tx) => {
    const current = await teamRole(tx, teamId, targetUserId);
    if (!current) return refuse("NOT_FOUND");
    if (current === "owner" && (await ownerCount(tx, teamId)) <= 1) return refuse("LAST_OWNER");
    await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, targetUserId)));
    await recordAudit(tx, { type: "member.removed", teamId, userId: targetUserId, actorId: actor.id, data: { role: current }, ...meta });
    // Devices remembered under this team's (shortest) period leave with its policy.
    await revokeTrustedDevices(tx, targetUserId, meta, { reason: "left_team", periodTeamId: teamId });
    return { ok: true, changed: true };
  });
}
