import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import { createUser, meta, PASSWORD } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { findSessionUser, listSessions, revokeOtherSessions, revokeSession } from "./sessions";
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
});
