import { and, eq } from "drizzle-orm";
import { db, type Executor, type Tx } from "@/lib/db";
import { memberships, teams, type Role } from "@/lib/db/schema";

/** Who may manage a team's policy, members, invitations and keys. */
export const MANAGERS = ["owner", "admin"] as const satisfies readonly Role[];
/** Who may change what costs money or power: roles, removals, credits, SMS settings. */
export const OWNERS = ["owner"] as const satisfies readonly Role[];

/** The user's role in the team, read in `ex` (null when not a member). */
export async function teamRole(ex: Executor, teamId: string, userId: string): Promise<Role | null> {
  const [row] = await ex
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
  return row?.role ?? null;
}

/** Locks the team row for the rest of the transaction, so policy, membership and credit changes queue up. */
export async function lockTeam(tx: Tx, teamId: string): Promise<boolean> {
  const rows = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for("no key update");
  return rows.length > 0;
}

/**
 * The user's role when it is one of `roles`, read without a lock: for reads that change
 * nothing (a preview, a page deciding where to send its viewer). Null otherwise.
 */
export async function teamRoleIn<R extends Role>(ex: Executor, teamId: string, userId: string, roles: readonly R[]): Promise<R | null> {
  const role = await teamRole(ex, teamId, userId);
  return role !== null && (roles as readonly Role[]).includes(role) ? (role as R) : null;
}

/**
 * The guard of every team change: locks the team row first (role changes lock it too, so the
 * role read after it holds until the transaction ends), then answers the actor's role when it
 * is one of `roles`, or null — no such team, not a member, or another role. The caller words
 * the refusal: each change says who may make it.
 */
export async function requireTeamRole<R extends Role>(tx: Tx, teamId: string, actorId: string, roles: readonly R[]): Promise<R | null> {
  if (!(await lockTeam(tx, teamId))) return null;
  return teamRoleIn(tx, teamId, actorId, roles);
}

/** Whether the user may still see the team's management pages (owner or admin), read now. */
export async function isTeamManager(teamId: string, userId: string): Promise<boolean> {
  return (await teamRoleIn(db(), teamId, userId, MANAGERS)) !== null;
}
