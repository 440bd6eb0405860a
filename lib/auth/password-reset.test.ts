import { desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, outbox, passwordResets, sessions } from "@/lib/db/schema";
import { createUser, meta, uniqueEmail } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { findSessionUser } from "./sessions";
import { isResetTokenLive, requestPasswordReset as requestReset, resetPassword } from "./password-reset";
import { passwordStep } from "./sign-in";

/** Asks for a link and waits for its email, which goes out after the answer. */
async function requestPasswordReset(email: string, requestMeta: typeof meta | { ip: string }) {
  const result = await requestReset(email, requestMeta);
  if (result.ok) await result.delivered;
  return result.ok ? { ok: true as const } : result;
}

async function linkFor(email: string): Promise<string> {
  const [mail] = await db().select().from(outbox).where(eq(outbox.to, email)).orderBy(desc(outbox.seq)).limit(1);
  const token = mail?.text.match(/reset-password\?token=([\w-]+)/)?.[1];
  if (!token) throw new Error("no reset link in the outbox");
  return token;
}

describe("password reset", () => {
  it("answers the same for unknown and known emails, and emails a link only to the known one", async () => {
    const user = await createUser();
    const unknown = uniqueEmail();
    expect(await requestPasswordReset(unknown, meta)).toEqual({ ok: true });
    expect(await requestPasswordReset(user.email, meta)).toEqual({ ok: true });
    expect(await db().select().from(outbox).where(eq(outbox.to, unknown))).toHaveLength(0);
    const token = await linkFor(user.email);
    expect(token).toMatch(/^[\w-]{43}$/);
    const stored = await db().select().from(passwordResets);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("sets the new password once, ends every session, and the next sign-in still goes through the challenge", async () => {
    const user = await createUser();
    const sid = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
    await requestPasswordReset(user.email, meta);
    const token = await linkFor(user.email);
    expect(await isResetTokenLive(token)).toBe(true);

    expect(await resetPassword(token, "a brand new passphrase", meta)).toEqual({ ok: true });
    expect(await findSessionUser(sid)).toBeNull();
    expect(await isResetTokenLive(token)).toBe(false);
    expect((await resetPassword(token, "another passphrase!!", meta)).ok).toBe(false);

    expect((await passwordStep({ email: user.email, password: user.password }, meta)).ok).toBe(false);
    const step = await passwordStep({ email: user.email, password: "a brand new passphrase" }, meta);
    expect(step.ok).toBe(true); // a challenge, never a session: the factor step is unchanged
    const events = await db().select({ type: auditEvents.type }).from(auditEvents).where(eq(auditEvents.userId, user.userId));
    expect(events.map((e) => e.type)).toContain("password.reset");
    const [notice] = await db().select().from(outbox).where(eq(outbox.to, user.email)).orderBy(desc(outbox.seq)).limit(1);
    expect(notice!.subject).toBe("Your password was changed");
  });

  it("cancels a sign-in that was completed but not yet exchanged", async () => {
    const user = await createUser(); // its sign-up challenge is completed and waiting
    await requestPasswordReset(user.email, meta);
    await resetPassword(await linkFor(user.email), "a brand new passphrase", meta);
    expect(await exchangeChallenge(user.challengeToken, meta)).toBeNull();
  });

  it("uses a link exactly once under 20 concurrent attempts", async () => {
    const user = await createUser();
    await requestPasswordReset(user.email, meta);
    const token = await linkFor(user.email);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => resetPassword(token, `concurrent password ${i}`, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses an expired link", async () => {
    const user = await createUser();
    await requestPasswordReset(user.email, meta);
    const token = await linkFor(user.email);
    await db().update(passwordResets).set({ expiresAt: sql`now() - interval '1 second'` });
    expect(await isResetTokenLive(token)).toBe(false);
    expect((await resetPassword(token, "a brand new passphrase", meta)).ok).toBe(false);
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.userId))).toHaveLength(0);
  });

  it("limits requests per email to 3 an hour", async () => {
    const user = await createUser();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await requestPasswordReset(user.email, { ip: `192.0.2.${i}` }));
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(results[3]!.ok).toBe(false);
  });
});
