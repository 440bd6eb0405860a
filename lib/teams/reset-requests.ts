import { and, eq, gt, inArray, isNull, sql } from "drizzle-orm";
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

export type ResetState = {
  /** Teams with a live request, oldest request first. */
  requestedBy: string[];
  /** Teams of the member that require 2FA and have not asked: while any is left, the reset waits. */
  waitingOn: number;
  /** Every requiring team asked (joint agreement): the member may use the reset at sign-in. */
  ready: boolean;
};

/**
 * The reset state of each of `userIds` that has a live request. One team must not strip the
 * protection another team relies on: a reset becomes ready only once every team of the member
 * that requires 2FA has a live request of its own.
 */
export async function resetStates(ex: Executor, userIds: string[]): Promise<Map<string, ResetState>> {
  const states = new Map<string, ResetState>();
  if (userIds.length === 0) return states;
  const requests = await ex
    .select({ userId: twoFactorResets.userId, teamId: twoFactorResets.teamId })
    .from(twoFactorResets)
    .where(and(inArray(twoFactorResets.userId, userIds), liveResetRequest))
    .orderBy(twoFactorResets.createdAt);
  if (requests.length === 0) return states;
  const asked = [...new Set(requests.map((r) => r.userId))];
  const requiring = await ex
    .select({ userId: memberships.userId, teamId: memberships.teamId })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(and(inArray(memberships.userId, asked), eq(teams.requireTwoFactor, true)));
  for (const userId of asked) {
    const requestedBy = [...new Set(requests.filter((r) => r.userId === userId).map((r) => r.teamId))];
    const waitingOn = requiring.filter((r) => r.userId === userId && !requestedBy.includes(r.teamId)).length;
    states.set(userId, { requestedBy, waitingOn, ready: waitingOn === 0 });
  }
  return states;
}

/** One member's reset state, or null when no request of theirs is live. */
export async function resetState(ex: Executor, userId: string): Promise<ResetState | null> {
  return (await resetStates(ex, [userId])).get(userId) ?? null;
}
