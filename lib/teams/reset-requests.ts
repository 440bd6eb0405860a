import { and, eq, gt, isNull, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Executor } from "@/lib/db";
import { memberships, teams, twoFactorResets } from "@/lib/db/schema";

/** How long an admin's reset request waits to be used before it lapses. */
export const RESET_REQUEST_DAYS = 7;

/**
 * A request that still counts: not canceled, not used, not expired, the member still in the
 * team that asked, and whoever asked still an owner or admin there. Leaving the team or losing
 * the role takes the request with it, without anyone having to remember to cancel it.
 */
export const liveResetRequest = and(
  isNull(twoFactorResets.canceledAt),
  isNull(twoFactorResets.completedAt),
  gt(twoFactorResets.expiresAt, sql`now()`),
  // Each subquery's "memberships" is its own scope: no alias needed.
  sql`exists (select 1 from ${memberships} where ${memberships.teamId} = ${twoFactorResets.teamId} and ${memberships.userId} = ${twoFactorResets.userId})`,
  sql`exists (select 1 from ${memberships} where ${memberships.teamId} = ${twoFactorResets.teamId} and ${memberships.userId} = ${twoFactorResets.requestedBy} and ${memberships.role} in ('owner', 'admin'))`,
)!;

/**
 * SQL: some team of the member `userId` points at that requires 2FA has no live request for
 * them. One team must not strip the protection another team relies on, so while this holds
 * the member's reset waits (joint agreement; see docs/ARCHITECTURE.md). The one statement of
 * the rule: the sign-in (`resetState`) and the members page (lib/teams/members.ts) both use it.
 */
export function waitingOnAnotherTeam(userId: SQLWrapper): SQL {
  return sql`exists (select 1 from ${memberships} inner join ${teams} on ${teams.id} = ${memberships.teamId} where ${memberships.userId} = ${userId} and ${teams.requireTwoFactor} and not exists (select 1 from ${twoFactorResets} where ${twoFactorResets.userId} = ${memberships.userId} and ${twoFactorResets.teamId} = ${memberships.teamId} and ${liveResetRequest}))`;
}

export type ResetState = {
  /** Teams with a live request, oldest request first. */
  requestedBy: string[];
  /** Every team of the member that requires 2FA asked: the member may use the reset at sign-in. */
  ready: boolean;
};

/** A member's reset state, or null when no request of theirs is live. */
export async function resetState(ex: Executor, userId: string): Promise<ResetState | null> {
  const requests = await ex
    .select({ teamId: twoFactorResets.teamId, waiting: sql<boolean>`${waitingOnAnotherTeam(twoFactorResets.userId)}` })
    .from(twoFactorResets)
    .where(and(eq(twoFactorResets.userId, userId), liveResetRequest))
    .orderBy(twoFactorResets.createdAt);
  if (requests.length === 0) return null;
  return { requestedBy: [...new Set(requests.map((r) => r.teamId))], ready: !requests[0]!.waiting };
}
