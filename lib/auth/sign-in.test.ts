import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, signInChallenges } from "@/lib/db/schema";
import { createUser, meta, PASSWORD, uniqueEmail } from "@/tests/helpers";
import { hashToken } from "@/lib/security/tokens";
import { rateLimit } from "@/lib/rate-limit";
import { signInInput } from "./input";
import { IP_ATTEMPT_LIMIT, passwordStep } from "./sign-in";

describe("password step", () => {
  it("creates a sign-in challenge, not a session, for a correct password (any email case)", async () => {
    const user = await createUser();
    const result = await passwordStep({ email: signInInput.parse({ email: user.email.toUpperCase(), password: PASSWORD }).email, password: PASSWORD }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [challenge] = await db().select().from(signInChallenges).where(eq(signInChallenges.tokenHash, hashToken(result.challengeToken)));
    expect(challenge).toMatchObject({ userId: user.userId, consumedAt: null, ip: meta.ip });
    // 10 minutes, give or take the test's own duration.
    const ttl = (challenge!.expiresAt.getTime() - challenge!.createdAt.getTime()) / 1000;
    expect(ttl).toBe(600);
  });

  it("answers an unknown email and a wrong password alike, in about the same time", async () => {
    const user = await createUser();
    const time = async (email: string) => {
      const started = performance.now();
      const result = await passwordStep({ email, password: "wrong password!" }, meta);
      return { result, ms: performance.now() - started };
    };
    await time(uniqueEmail()); // warm-up: the dummy hash is computed once
    const unknown = await time(uniqueEmail());
    const wrong = await time(user.email);
    expect(unknown.result).toEqual(wrong.result);
    expect(wrong.result).toMatchObject({ ok: false, code: "INVALID_CREDENTIALS", message: "Wrong email or password." });
    // Both run one full scrypt; neither may be a fast path.
    expect(Math.abs(unknown.ms - wrong.ms)).toBeLessThan(Math.max(unknown.ms, wrong.ms) * 0.6);
  });

  it("locks an account for 15 minutes after 10 wrong passwords, even for the right one, and audits it", async () => {
    const user = await createUser();
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await passwordStep({ email: user.email, password: `wrong-${i}` }, { ...meta, ip: `192.0.2.${i}` }));
    expect(results.slice(0, 9).every((r) => !r.ok && r.code === "INVALID_CREDENTIALS")).toBe(true);
    expect(results[9]).toMatchObject({ ok: false, code: "ACCOUNT_LOCKED", retryAfterSeconds: 900 });
    expect(results[9]!.ok === false && results[9]!.message).toBe("Too many wrong passwords for this account. Try again in 15 minutes.");

    const right = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    expect(right).toMatchObject({ ok: false, code: "ACCOUNT_LOCKED" });
    const locked = await db().select().from(auditEvents).where(and(eq(auditEvents.userId, user.userId), eq(auditEvents.type, "sign_in.locked")));
    expect(locked).toHaveLength(1);
    expect(await db().select().from(signInChallenges).where(eq(signInChallenges.userId, user.userId))).toHaveLength(1); // sign-up's only
  });

  it("a burst of 20 parallel guesses checks at most 10 passwords before the lock", async () => {
    const user = await createUser();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => passwordStep({ email: user.email, password: `guess-${i}` }, { ...meta, ip: `192.0.2.${i}` })));
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results.filter((r) => !r.ok && r.code === "INVALID_CREDENTIALS").length).toBeLessThanOrEqual(9);
    expect(await passwordStep({ email: user.email, password: PASSWORD }, meta)).toMatchObject({ ok: false, code: "ACCOUNT_LOCKED" });
  });

  it("locks unknown emails the same way, so the lock reveals nothing", async () => {
    const email = uniqueEmail();
    let last;
    for (let i = 0; i < 11; i++) last = await passwordStep({ email, password: "guess" }, meta);
    expect(last).toMatchObject({ ok: false, code: "ACCOUNT_LOCKED" });
  });

  it("a correct password resets the failure count", async () => {
    const user = await createUser();
    for (let i = 0; i < 9; i++) await passwordStep({ email: user.email, password: "wrong" }, meta);
    expect((await passwordStep({ email: user.email, password: PASSWORD }, meta)).ok).toBe(true);
    for (let i = 0; i < 9; i++) await passwordStep({ email: user.email, password: "wrong" }, meta);
    expect((await passwordStep({ email: user.email, password: PASSWORD }, meta)).ok).toBe(true);
  });

  it("refuses a flood of attempts from one IP address, before checking any password", async () => {
    const user = await createUser();
    const ip = "198.18.5.5";
    for (let i = 0; i < IP_ATTEMPT_LIMIT.limit; i++) await rateLimit(`signin:ip:${ip}`, IP_ATTEMPT_LIMIT);
    const result = await passwordStep({ email: user.email, password: PASSWORD }, { ip });
    expect(result).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(result.ok === false && result.message).toMatch(/^Too many attempts from your network\. Try again in \d+ minutes\.$/);
    expect((await passwordStep({ email: user.email, password: PASSWORD }, { ip: "198.18.5.6" })).ok).toBe(true);
  });
});
