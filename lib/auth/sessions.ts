import { and, desc, eq, gt, inArray, isNull, lt, ne, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { auditEvents, memberships, sessions, teams, users } from "@/lib/db/schema";

/**
 * NIST SP 800-63B-4 AAL2: reauthenticate after at most 1 hour without activity and at most
 * 24 hours after sign-in. These are the defaults and the maxima; a team may ask for less
 * (teams.session_idle_minutes 15..60, teams.session_max_hours 1..24) and the strictest of a
 * user's teams applies, read on every request, so a lowered value ends long sessions at once.
 */
export const SESSION_IDLE_MINUTES = 60;
export const SESSION_MAX_HOURS = 24;
/** The row's own hard end and the next-auth JWT's maxAge: never beyond the absolute maximum. */
export const SESSION_TTL_SECONDS = SESSION_MAX_HOURS * 60 * 60;
/** Last activity is written at most this often: one write a minute per session, not one per request. */
export const ACTIVITY_WRITE_SECONDS = 60;

export type SessionUser = { id: string; name: string; email: string; sessionId: string };

/** Why a session the browser still names no longer signs anyone in (timeouts only; a revoked session says nothing). */
export type SessionEnd = { reason: "idle"; minutes: number } | { reason: "lifetime"; hours: number };
export type SessionLookup = { user: SessionUser; ended?: undefined } | { user: null; ended: SessionEnd | null };

export async function createSession(ex: Executor, input: RequestMeta & { userId: string; stepUp?: Date | null }): Promise<string> {
  const [row] = await ex
    .insert(sessions)
    .values({
      userId: input.userId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      expiresAt: sql`now() + (${SESSION_TTL_SECONDS} * interval '1 second')`,
      // Freshness for step-up is the moment the second factor was proven, never later than the
      // session's creation; only stepUp() (a factor re-entered) moves it afterwards.
      stepUpAt: input.stepUp ?? null,
    })
    .returning({ id: sessions.id });
  await ex.update(users).set({ lastSignInAt: sql`now()` }).where(eq(users.id, input.userId));
  return row!.id;
}

/**
 * The session limits of a user — the strictest of their teams, or the defaults for someone in
 * none. `user` is a user id, or the column `sessions.user_id` for the row in scope: as a LATERAL
 * subquery every session query computes it in the same statement (memberships_user_idx).
 */
const limitsOf = (user: typeof sessions.userId | string) =>
  db()
    .select({
      idleMinutes: sql<number>`coalesce(min(${teams.sessionIdleMinutes}), ${SESSION_IDLE_MINUTES})`.mapWith(Number).as("idle_minutes"),
      maxHours: sql<number>`coalesce(min(${teams.sessionMaxHours}), ${SESSION_MAX_HOURS})`.mapWith(Number).as("max_hours"),
    })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, user));
const limits = () => limitsOf(sessions.userId).as("limits");

export type SessionLimits = { idleMinutes: number; maxHours: number };

/** The idle timeout and lifetime that apply to this user's sessions (for the Security page). */
export async function sessionLimits(userId: string): Promise<SessionLimits> {
  const [row] = await limitsOf(userId);
  return row ?? { idleMinutes: SESSION_IDLE_MINUTES, maxHours: SESSION_MAX_HOURS };
}

/** Within the absolute lifetime: counted from sign-in, so no activity extends it. */
const withinLifetime = (l: ReturnType<typeof limits>) =>
  sql<boolean>`(${sessions.createdAt} > now() - (${l.maxHours} * interval '1 hour') and ${sessions.expiresAt} > now())`;
/** Used within the idle timeout (last_active_at lags by at most a minute, so the timeout is never longer). */
const activeEnough = (l: ReturnType<typeof limits>) => sql<boolean>`(${sessions.lastActiveAt} > now() - (${l.idleMinutes} * interval '1 minute'))`;

/**
 * Looks up the session a request names: one indexed statement that also applies the user's
 * teams' limits. Last activity is then written only when the row says it is over a minute old
 * — at most once a minute, so the hot path stays one round trip — by a conditional UPDATE
 * that, under concurrent requests, matches once (the others re-read the row and no longer
 * match). Only a live session is touched, so a request after the timeout cannot revive it.
 */
export async function lookupSession(sessionId: string): Promise<SessionLookup> {
  const l = limits();
  const [row] = await db()
    .select({
      sessionId: sessions.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      withinLifetime: withinLifetime(l),
      active: activeEnough(l),
      stale: sql<boolean>`(${sessions.lastActiveAt} < now() - (${ACTIVITY_WRITE_SECONDS} * interval '1 second'))`,
      idleMinutes: l.idleMinutes,
      maxHours: l.maxHours,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .crossJoinLateral(l)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
  if (!row) return { user: null, ended: null };
  if (!row.withinLifetime) return { user: null, ended: { reason: "lifetime", hours: row.maxHours } };
  if (!row.active) return { user: null, ended: { reason: "idle", minutes: row.idleMinutes } };
  if (row.stale) {
    await db()
      .update(sessions)
      .set({ lastActiveAt: sql`now()` })
      .where(
        and(
          eq(sessions.id, row.sessionId),
          isNull(sessions.revokedAt),
          lt(sessions.lastActiveAt, sql`now() - (${ACTIVITY_WRITE_SECONDS} * interval '1 second')`),
        ),
      );
  }
  return { user: { id: row.userId, name: row.name, email: row.email, sessionId: row.sessionId } };
}

/** The user of a live session (not revoked, within its idle timeout and lifetime), or null. */
export async function findSessionUser(sessionId: string): Promise<SessionUser | null> {
  return (await lookupSession(sessionId)).user;
}

/** Ends one session (sign out). Idempotent. */
export async function revokeSession(sessionId: string, meta: RequestMeta): Promise<void> {
  await db().transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ userId: sessions.userId });
    if (row) await recordAudit(tx, { type: "session.signed_out", userId: row.userId, ...meta });
  });
}

/**
 * "Sign out" of one of the user's sessions from Settings → Security. The row must be the
 * user's own: another user's session id ends nothing and gets the same answer as one that
 * has already ended, so the action tells nobody whose ids exist.
 */
export async function revokeUserSession(userId: string, sessionId: string, meta: RequestMeta): Promise<boolean> {
  return db().transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
      .returning({ userAgent: sessions.userAgent, ip: sessions.ip });
    if (row) await recordAudit(tx, { type: "session.revoked", userId, data: { sessionUserAgent: row.userAgent, sessionIp: row.ip }, ...meta });
    return Boolean(row);
  });
}

export type ActiveSession = { id: string; userAgent: string | null; ip: string | null; createdAt: Date; lastActiveAt: Date; current: boolean };

/** The user's live sessions (by the same limits as every request), newest first. */
export async function listSessions(userId: string, currentSessionId: string): Promise<ActiveSession[]> {
  const l = limits();
  const rows = await db()
    .select({ id: sessions.id, userAgent: sessions.userAgent, ip: sessions.ip, createdAt: sessions.createdAt, lastActiveAt: sessions.lastActiveAt })
    .from(sessions)
    .crossJoinLateral(l)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), withinLifetime(l), activeEnough(l)))
    .orderBy(sql`${sessions.createdAt} desc`)
    .limit(50);
  return rows.map((row) => ({ ...row, current: row.id === currentSessionId }));
}

/** Ends the user's live sessions — all of them, or all but `keepSessionId` — in the caller's transaction; returns how many ended. */
export async function endSessions(ex: Executor, userId: string, keepSessionId?: string): Promise<number> {
  const ended = await ex
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keepSessionId ? ne(sessions.id, keepSessionId) : undefined))
    .returning({ id: sessions.id });
  return ended.length;
}

/** "Sign out all other sessions": ends every session of the user but `keepSessionId`; returns how many ended. */
export async function revokeOtherSessions(userId: string, keepSessionId: string, meta: RequestMeta): Promise<number> {
  return db().transaction(async (tx) => {
    const count = await endSessions(tx, userId, keepSessionId);
    if (count > 0) await recordAudit(tx, { type: "session.others_revoked", userId, data: { count }, ...meta });
    return count;
  });
}

/** The factor changes after which Settings → Security offers to sign out the other sessions. */
const FACTOR_CHANGES = ["factor.added", "factor.removed", "factor.default_changed", "factor.phone_changed"] as const;
/** How long the offer stands after such a change. */
const OFFER_SECONDS = 10 * 60;

/**
 * "Sign out your other sessions?": true when the user changed a factor (added, removed, a new
 * default, a new phone number) in the last 10 minutes, has not signed the others out since,
 * and another session is still live. Read from the audit log, so the offer follows every way a
 * factor changes — a redirect after enrollment or an in-place removal alike.
 */
export async function offerSignOutOthers(userId: string, currentSessionId: string): Promise<boolean> {
  const [latest] = await db()
    .select({ type: auditEvents.type })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.userId, userId),
        inArray(auditEvents.type, [...FACTOR_CHANGES, "session.others_revoked"]),
        gt(auditEvents.createdAt, sql`now() - (${OFFER_SECONDS} * interval '1 second')`),
      ),
    )
    .orderBy(desc(auditEvents.createdAt))
    .limit(1);
  if (!latest || latest.type === "session.others_revoked") return false;
  return (await listSessions(userId, currentSessionId)).some((session) => !session.current);
}
