import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions, signInChallenges, teams } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import { addTotpFactor, createSignedInUser, createUser, joinTeam, meta, PASSWORD, totpCode } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { authOptions } from "./next-auth";
import { verifyChallenge } from "./second-factor";
import { findSessionUser } from "./sessions";
import { passwordStep } from "./sign-in";
import { hasFreshStepUp } from "./step-up";

/** Moves the session's last activity `minutes` into the past. */
async function idleFor(sessionId: string, minutes: number) {
  await db()
    .update(sessions)
    .set({ lastActiveAt: sql`now() - (${minutes} * interval '1 minute')` })
    .where(eq(sessions.id, sessionId));
}

/** Moves the session's sign-in `minutes` into the past, as a session that old would be (active until now). */
async function signedInAgo(sessionId: string, minutes: number) {
  await db()
    .update(sessions)
    .set({ createdAt: sql`now() - (${minutes} * interval '1 minute')`, lastActiveAt: sql`now()` })
    .where(eq(sessions.id, sessionId));
}

const setTeamSessions = (teamId: string, values: { sessionIdleMinutes?: number; sessionMaxHours?: number }) =>
  db().update(teams).set(values).where(eq(teams.id, teamId));

// Counts every write to a sessions row: a trigger on a table outside the schema, so the
// per-test TRUNCATE leaves it alone (it is emptied below).
beforeAll(async () => {
  await db().execute(sql.raw(`create table if not exists session_writes (session_id uuid not null)`));
  await db().execute(
    sql.raw(`create or replace function count_session_write() returns trigger language plpgsql as $$
      begin insert into session_writes values (new.id); return new; end $$`),
  );
  await db().execute(sql.raw(`create trigger count_session_writes after update on sessions for each row execute function count_session_write()`));
});
afterAll(async () => {
  await db().execute(sql.raw(`drop trigger if exists count_session_writes on sessions`));
  await db().execute(sql.raw(`drop table if exists session_writes`));
});
beforeEach(async () => {
  await db().execute(sql.raw(`delete from session_writes`));
});

async function writesTo(sessionId: string): Promise<number> {
  const rows = await db().execute(sql`select count(*)::int as n from session_writes where session_id = ${sessionId}`);
  const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: { n: number }[] }).rows) as { n: number }[];
  return Number(list[0]!.n);
}

describe("sessions end after an idle timeout and an absolute lifetime (NIST SP 800-63B AAL2)", () => {
  it("a session idle for 61 minutes is refused on the next request", async () => {
    const user = await createSignedInUser();
    await idleFor(user.sessionId, 59);
    expect(await findSessionUser(user.sessionId)).toMatchObject({ id: user.userId });
    await idleFor(user.sessionId, 61);
    expect(await findSessionUser(user.sessionId)).toBeNull();
    // The refused request does not bring it back.
    expect(await findSessionUser(user.sessionId)).toBeNull();
  });

  it("a session signed in 25 hours ago is refused though it was active a moment ago", async () => {
    const user = await createSignedInUser();
    await signedInAgo(user.sessionId, 23 * 60);
    expect(await findSessionUser(user.sessionId)).toMatchObject({ id: user.userId });
    await signedInAgo(user.sessionId, 25 * 60);
    expect(await findSessionUser(user.sessionId)).toBeNull();
  });

  it("the strictest of the user's teams applies, and lowering a team's value ends sessions at their next request", async () => {
    const user = await createSignedInUser();
    const strict = await createUser();
    await joinTeam(strict.teamId, user.userId);

    await idleFor(user.sessionId, 20);
    expect(await findSessionUser(user.sessionId)).not.toBeNull();
    await idleFor(user.sessionId, 20);
    await setTeamSessions(strict.teamId, { sessionIdleMinutes: 15 });
    expect(await findSessionUser(user.sessionId)).toBeNull();

    const again = await createSignedInUser();
    await joinTeam(strict.teamId, again.userId);
    await signedInAgo(again.sessionId, 90);
    expect(await findSessionUser(again.sessionId)).not.toBeNull();
    await setTeamSessions(strict.teamId, { sessionMaxHours: 1 });
    expect(await findSessionUser(again.sessionId)).toBeNull();
    // The user's own (personal) team still says 24 hours: the strictest wins, not the first.
    const [own] = await db().select({ h: teams.sessionMaxHours }).from(teams).where(eq(teams.id, again.teamId));
    expect(own!.h).toBe(24);
  });

  it("a team's stricter limits do not touch people outside it", async () => {
    const user = await createSignedInUser();
    const other = await createUser();
    await setTeamSessions(other.teamId, { sessionIdleMinutes: 15, sessionMaxHours: 1 });
    await idleFor(user.sessionId, 30);
    expect(await findSessionUser(user.sessionId)).not.toBeNull();
  });

  it("last activity is written at most once a minute, even under concurrent requests", async () => {
    const user = await createSignedInUser();
    for (let i = 0; i < 10; i++) await findSessionUser(user.sessionId);
    expect(await writesTo(user.sessionId)).toBe(0);

    await idleFor(user.sessionId, 2); // one write (the test's own)
    await Promise.all(Array.from({ length: 10 }, () => findSessionUser(user.sessionId)));
    for (let i = 0; i < 5; i++) await findSessionUser(user.sessionId);
    expect(await writesTo(user.sessionId)).toBe(2);
    const [row] = await db().select({ stale: sql<boolean>`${sessions.lastActiveAt} < now() - interval '5 seconds'` }).from(sessions).where(eq(sessions.id, user.sessionId));
    expect(row!.stale).toBe(false);
  });

  it("activity keeps a session alive: idle 50 minutes, a request, then 50 more minutes", async () => {
    const user = await createSignedInUser();
    await idleFor(user.sessionId, 50);
    expect(await findSessionUser(user.sessionId)).not.toBeNull();
    const [row] = await db().select({ ago: sql<number>`extract(epoch from now() - ${sessions.lastActiveAt})`.mapWith(Number) }).from(sessions).where(eq(sessions.id, user.sessionId));
    expect(row!.ago).toBeLessThan(5);
  });

  it("the next-auth JWT lives no longer than the absolute maximum (24 hours)", () => {
    expect(authOptions().session?.maxAge).toBeLessThanOrEqual(24 * 60 * 60);
    expect(authOptions().jwt?.maxAge ?? authOptions().session?.maxAge).toBeLessThanOrEqual(24 * 60 * 60);
  });
});

describe("sign-in freshness (step-up) is bound to the session's creation", () => {
  async function signInWithTotp() {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: false }, meta)).ok).toBe(true);
    const session = await exchangeChallenge(step.challengeToken, meta);
    return { user, sessionId: session!.sessionId };
  }

  it("a session created through a second factor 11 minutes ago is not fresh, and using it does not make it fresh", async () => {
    const { user, sessionId } = await signInWithTotp();
    expect(await hasFreshStepUp(user.userId, sessionId)).toBe(true);
    await db()
      .update(sessions)
      .set({ createdAt: sql`now() - interval '11 minutes'`, stepUpAt: sql`now() - interval '11 minutes'`, lastActiveAt: sql`now() - interval '2 minutes'` })
      .where(eq(sessions.id, sessionId));
    // Requests (the same JWT, from this browser or a thief's) touch the session: freshness stays where it was.
    for (let i = 0; i < 3; i++) expect(await findSessionUser(sessionId)).not.toBeNull();
    expect(await hasFreshStepUp(user.userId, sessionId)).toBe(false);
    const [row] = await db().select({ stepUpAt: sessions.stepUpAt, createdAt: sessions.createdAt }).from(sessions).where(eq(sessions.id, sessionId));
    expect(row!.stepUpAt!.getTime()).toBeLessThanOrEqual(row!.createdAt.getTime());
  });

  it("freshness starts no later than the session's creation and never moves on its own", async () => {
    const { sessionId } = await signInWithTotp();
    const [before] = await db().select({ stepUpAt: sessions.stepUpAt, createdAt: sessions.createdAt }).from(sessions).where(eq(sessions.id, sessionId));
    expect(before!.stepUpAt).not.toBeNull();
    expect(before!.stepUpAt!.getTime()).toBeLessThanOrEqual(before!.createdAt.getTime());
    await idleFor(sessionId, 2);
    await findSessionUser(sessionId);
    const [after] = await db().select({ stepUpAt: sessions.stepUpAt }).from(sessions).where(eq(sessions.id, sessionId));
    expect(after!.stepUpAt).toEqual(before!.stepUpAt);
  });
});

describe("the session id rotates at the second factor", () => {
  it("nothing the browser held before the factor becomes the session: a new row, after the challenge, once", async () => {
    const user = await createUser();
    const earlier = (await exchangeChallenge(user.challengeToken, meta))!.sessionId; // a session this browser had before
    const { secret } = await addTotpFactor(user.userId);
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    const [challenge] = await db().select().from(signInChallenges).where(eq(signInChallenges.tokenHash, hashToken(step.challengeToken)));

    // Before the factor, the challenge cookie is worth nothing as a session.
    expect(await exchangeChallenge(step.challengeToken, meta)).toBeNull();
    expect(await findSessionUser(challenge!.id)).toBeNull();
    const before = await db().select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.userId));
    expect(before.map((s) => s.id)).toEqual([earlier]);

    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: false }, meta)).ok).toBe(true);
    const session = (await exchangeChallenge(step.challengeToken, meta))!;
    expect(session.sessionId).not.toBe(earlier);
    expect(session.sessionId).not.toBe(challenge!.id);
    expect(await findSessionUser(session.sessionId)).toMatchObject({ id: user.userId });
    // The pre-factor cookie is spent: replayed, it gives nothing.
    expect(await exchangeChallenge(step.challengeToken, meta)).toBeNull();
    expect(await db().select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.userId))).toHaveLength(2);
  });
});
