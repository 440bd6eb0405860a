import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { setDefaultFactor } from "@/lib/factors/manage";
import { addEmailFactor, addTotpFactor, auditEventsOf, createUser, meta, PASSWORD } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { createSession, findSessionUser, listSessions, offerSignOutOthers, revokeOtherSessions, revokeSession, revokeUserSession } from "./sessions";
import { passwordStep } from "./sign-in";

async function signIn(email: string) {
  const step = await passwordStep({ email, password: PASSWORD }, meta);
  if (!step.ok) throw new Error(step.message);
  return (await exchangeChallenge(step.challengeToken, meta))!.sessionId;
}

describe("sessions", () => {
  it("ends at sign-out: the session row no longer authenticates", async () => {
    const user = await createUser();
    const sid = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    await revokeSession(sid, meta);
    expect(await findSessionUser(sid)).toBeNull();
  });

  it("ends when expired", async () => {
    const user = await createUser();
    const sid = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    await db().update(sessions).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(sessions.id, sid));
    expect(await findSessionUser(sid)).toBeNull();
  });

  it("signs out every other session of the user, and only the user's", async () => {
    const user = await createUser();
    const other = await createUser();
    const here = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    const laptop = await signIn(user.email);
    const phone = await signIn(user.email);
    const stranger = (await exchangeChallenge(other.challengeToken, meta))!.sessionId;

    expect((await listSessions(user.userId, here)).map((s) => s.current).sort()).toEqual([false, false, true]);
    expect(await revokeOtherSessions(user.userId, here, meta)).toBe(2);
    expect(await findSessionUser(here)).not.toBeNull();
    expect(await findSessionUser(laptop)).toBeNull();
    expect(await findSessionUser(phone)).toBeNull();
    expect(await findSessionUser(stranger)).not.toBeNull();
    expect(await revokeOtherSessions(user.userId, here, meta)).toBe(0);
  });

  it("signs out one session by id — only one of the user's own: another user's id ends nothing and gets the same answer", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const aliceHere = (await exchangeChallenge(alice.challengeToken, meta))!.sessionId;
    const aliceLaptop = await signIn(alice.email);
    const bobHere = (await exchangeChallenge(bob.challengeToken, meta))!.sessionId;

    // Alice, knowing (or guessing) Bob's session id, tries to end it.
    expect(await revokeUserSession(alice.userId, bobHere, meta)).toBe(false);
    expect(await findSessionUser(bobHere)).toMatchObject({ id: bob.userId });
    expect(await auditEventsOf(alice.userId, "session.revoked")).toHaveLength(0);
    expect(await auditEventsOf(bob.userId, "session.revoked")).toHaveLength(0);

    expect(await revokeUserSession(alice.userId, aliceLaptop, meta)).toBe(true);
    expect(await findSessionUser(aliceLaptop)).toBeNull();
    expect(await findSessionUser(aliceHere)).not.toBeNull();
    expect((await listSessions(alice.userId, aliceHere)).map((s) => s.id)).toEqual([aliceHere]);
    expect(await revokeUserSession(alice.userId, aliceLaptop, meta)).toBe(false); // already ended
    expect(await auditEventsOf(alice.userId, "session.revoked")).toHaveLength(1);
  });

  it("lists when each session was last active, and leaves out sessions that timed out", async () => {
    const user = await createUser();
    const here = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    const idle = await signIn(user.email);
    await db().update(sessions).set({ lastActiveAt: sql`now() - interval '61 minutes'` }).where(eq(sessions.id, idle));
    const list = await listSessions(user.userId, here);
    expect(list.map((s) => s.id)).toEqual([here]);
    expect(list[0]!.lastActiveAt).toBeInstanceOf(Date);
  });

  it("offers to sign out the other sessions after a factor change, until they are signed out", async () => {
    const user = await createUser();
    const here = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    const elsewhere = await signIn(user.email);
    expect(await offerSignOutOthers(user.userId, here)).toBe(false);

    await addTotpFactor(user.userId); // factor.added
    expect(await offerSignOutOthers(user.userId, here)).toBe(true);
    expect(await revokeOtherSessions(user.userId, here, meta)).toBe(1);
    expect(await offerSignOutOthers(user.userId, here)).toBe(false);

    // A new default is a factor change too; with no other session there is nothing to offer.
    const email = await addEmailFactor(user.userId);
    expect(await offerSignOutOthers(user.userId, here)).toBe(false);
    await createSession(db(), { userId: user.userId, ...meta }); // signed in elsewhere again
    expect(await offerSignOutOthers(user.userId, here)).toBe(true);
    expect(await revokeOtherSessions(user.userId, here, meta)).toBe(1);
    await createSession(db(), { userId: user.userId, ...meta });
    expect(await offerSignOutOthers(user.userId, here)).toBe(false);
    expect((await setDefaultFactor(user.userId, email.factorId, meta)).ok).toBe(true);
    expect(await offerSignOutOthers(user.userId, here)).toBe(true);
    expect(elsewhere).not.toBe(here);
  });
});

