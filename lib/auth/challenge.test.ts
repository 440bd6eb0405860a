import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, sessions, signInChallenges } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import { createUser, meta } from "@/tests/helpers";
import { createChallenge, exchangeChallenge } from "./challenge";
import { findSessionUser } from "./sessions";

describe("sign-in challenge exchange", () => {
  it("exchanges a completed challenge for a live session, once", async () => {
    const user = await createUser();
    const first = await exchangeChallenge(user.challengeToken, meta);
    expect(first).toMatchObject({ userId: user.userId });
    expect(await findSessionUser(first!.sessionId)).toMatchObject({ id: user.userId, email: user.email });
    expect(await exchangeChallenge(user.challengeToken, meta)).toBeNull();
    const events = await db().select().from(auditEvents).where(eq(auditEvents.type, "sign_in.succeeded"));
    expect(events).toHaveLength(1);
  });

  it("gives exactly one session to 20 concurrent exchanges of one token", async () => {
    const user = await createUser();
    const results = await Promise.all(Array.from({ length: 20 }, () => exchangeChallenge(user.challengeToken, meta)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.userId))).toHaveLength(1);
  });

  it("refuses an incomplete challenge (second factor still owed)", async () => {
    const user = await createUser();
    const { token } = await createChallenge(db(), { userId: user.userId, completedWith: null, ...meta });
    expect(await exchangeChallenge(token, meta)).toBeNull();
    // …and does not burn it: the factor step may still complete it.
    const [row] = await db().select().from(signInChallenges).where(eq(signInChallenges.tokenHash, hashToken(token)));
    expect(row!.consumedAt).toBeNull();
  });

  it("refuses an expired challenge", async () => {
    const user = await createUser();
    await db()
      .update(signInChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(signInChallenges.tokenHash, hashToken(user.challengeToken)));
    expect(await exchangeChallenge(user.challengeToken, meta)).toBeNull();
  });

  it("refuses unknown and empty tokens", async () => {
    expect(await exchangeChallenge("not-a-token", meta)).toBeNull();
    expect(await exchangeChallenge("", meta)).toBeNull();
  });

  it("stores only the token's hash", async () => {
    const user = await createUser();
    const rows = await db().select().from(signInChallenges);
    expect(JSON.stringify(rows)).not.toContain(user.challengeToken);
  });
});
