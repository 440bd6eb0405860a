import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { sessions, users } from "@/lib/db/schema";

/** How long a dashboard session lasts; the JWT and the row expire together. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;

export type SessionUser = { id: string; name: string; email: string; sessionId: string };

export async function createSession(ex: Executor, input: RequestMeta & { userId: string; stepUp?: Date | null }): Promise<string> {
  const [row] = await ex
    .insert(sessions)
    .values({
      userId: input.userId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      expiresAt: sql`now() + (${SESSION_TTL_SECONDS} * interval '1 second')`,
      stepUpAt: input.stepUp ?? null,
    })
    .returning({ id: sessions.id });
  await ex.update(users).set({ lastSignInAt: sql`now()` }).where(eq(users.id, input.userId));
  return row!.id;
}

/** The user of a live session (not revoked, not expired), or null. One indexed query. */
export async function findSessionUser(sessionId: string): Promise<SessionUser | null> {
  const [row] = await db()
    .select({ id: users.id, name: users.name, email: users.email, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)));
  return row ?? null;
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

export type ActiveSession = { id: string; userAgent: string | null; ip: string | null; createdAt: Date; current: boolean };

/** The user's live sessions, newest first. */
export async function listSessions(userId: string, currentSessionId: string): Promise<ActiveSession[]> {
  const rows = await db()
    .select({ id: sessions.id, userAgent: sessions.userAgent, ip: sessions.ip, createdAt: sessions.createdAt })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
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
