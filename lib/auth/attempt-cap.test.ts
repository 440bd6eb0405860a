import { desc, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { emailLinks, factors, outbox, rateLimits, recoveryCodes, users } from "@/lib/db/schema";
import { addTotpFactor, auditEventsOf, createSignedInUser, createUser, meta, otherThan, outboxTo, PASSWORD, totpCode } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { SECOND_FACTOR_FAILURE_CAP, unblockLinkLive, unblockSecondFactor } from "./second-step-guard";
import { sendChallengeCode, verifyChallenge } from "./second-factor";
import { passwordStep } from "./sign-in";
import { stepUp } from "./step-up";

const BLOCKED_SUBJECT = "Signing in is blocked after 100 failed attempts";

/** A 6-digit code that is not `code`. */
/** Time passing: the 15-minute window and lock of the short-term limit are over. */
async function endShortTermLock(userId: string) {
  await db().delete(rateLimits).where(like(rateLimits.key, `2fa:%:${userId}`));
}

async function signIn(email: string) {
  const step = await passwordStep({ email, password: PASSWORD }, meta);
  if (!step.ok) throw new Error(step.message);
  return step.challengeToken;
}

const verify = (token: string, code: string, method: "totp" | "recovery_code" = "totp") => verifyChallenge(token, { method, code }, { remember: false }, meta);

async function account(userId: string) {
  const [row] = await db().select({ failures: users.secondFactorFailures, blockedAt: users.secondFactorBlockedAt }).from(users).where(eq(users.id, userId));
  return row!;
}

/**
 * Fails the second step `count` times through the real sign-in challenge, as an attacker
 * holding the password would: a new challenge every 5 failures, and the 15-minute lock
 * waited out every 10 (the counter must survive both).
 */
async function failSignIns(user: { userId: string; email: string }, secret: string, count: number) {
  let token = "";
  for (let i = 0; i < count; i++) {
    if (i % 10 === 0) await endShortTermLock(user.userId);
    if (i % 5 === 0) token = await signIn(user.email);
    const result = await verify(token, otherThan(await totpCode(secret), 1 + (i % 3)));
    expect(result.ok).toBe(false);
  }
}

/**
 * The first 99 failures of a long run, written directly (the first two tests walk all 100
 * through the challenge); the 100th goes through the real challenge.
 */
async function failToCap(user: { userId: string; email: string }, secret: string) {
  await db().update(users).set({ secondFactorFailures: SECOND_FACTOR_FAILURE_CAP - 1 }).where(eq(users.id, user.userId));
  await failSignIns(user, secret, 1);
}

async function unblockToken(email: string): Promise<string> {
  const [mail] = await db().select().from(outbox).where(eq(outbox.to, email)).orderBy(desc(outbox.seq)).limit(1);
  const token = mail?.text.match(/unblock-sign-in\?token=([\w-]+)/)?.[1];
  if (!token) throw new Error("no unblock link in the newest email");
  return token;
}

describe("100 consecutive second-factor failures block the second step", () => {
  it("across many challenges the counter adds up; at 100 the right code is refused, no factor is even checked, and the owner gets one email with a link", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    expect(SECOND_FACTOR_FAILURE_CAP).toBe(100);

    await failSignIns(user, secret, 100);
    const blocked = await account(user.userId);
    expect(blocked.failures).toBe(100);
    expect(blocked.blockedAt).toBeInstanceOf(Date);
    expect(await auditEventsOf(user.userId, "sign_in.second_factor_blocked")).toHaveLength(1);
    expect((await outboxTo(user.email)).filter((m) => m.subject === BLOCKED_SUBJECT)).toHaveLength(1);

    await endShortTermLock(user.userId);
    const token = await signIn(user.email);
    const [before] = await db().select({ step: factors.lastTotpStep }).from(factors).where(eq(factors.userId, user.userId));
    const refused = await verify(token, await totpCode(secret));
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining("blocked") });
    const [after] = await db().select({ step: factors.lastTotpStep }).from(factors).where(eq(factors.userId, user.userId));
    expect(after!.step).toBe(before!.step); // the code was never checked, so it was not used up
    expect(await exchangeChallenge(token, meta)).toBeNull();
    // Codes are not sent either; and the counter does not grow past the block.
    expect(await sendChallengeCode(token, "email", meta)).toMatchObject({ ok: false });
    expect((await account(user.userId)).failures).toBe(100);
    // Trying again while blocked does not flood the mailbox.
    await verify(token, await totpCode(secret, 1));
    expect((await outboxTo(user.email)).filter((m) => m.subject === BLOCKED_SUBJECT)).toHaveLength(1);
  });

  it("a success at 99 clears the counter: the next 99 failures block nothing", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    await failSignIns(user, secret, 99);
    expect(await account(user.userId)).toEqual({ failures: 99, blockedAt: null });

    await endShortTermLock(user.userId);
    const token = await signIn(user.email);
    expect((await verify(token, await totpCode(secret))).ok).toBe(true);
    expect((await account(user.userId)).failures).toBe(0);
  });

  it("step-up failures count toward the same 100, and the block refuses step-up too", async () => {
    const user = await createSignedInUser();
    const { secret } = await addTotpFactor(user.userId);
    await db().update(users).set({ secondFactorFailures: 95 }).where(eq(users.id, user.userId));
    const session = { id: user.userId, sessionId: user.sessionId };
    for (let i = 0; i < 5; i++) expect((await stepUp(session, { method: "totp", code: otherThan(await totpCode(secret), 2) }, meta)).ok).toBe(false);
    expect((await account(user.userId)).blockedAt).toBeInstanceOf(Date);
    await endShortTermLock(user.userId);
    expect(await stepUp(session, { method: "totp", code: await totpCode(secret) }, meta)).toMatchObject({ ok: false, message: expect.stringContaining("blocked") });
  });

  it("the emailed link unblocks once: its page changes nothing, the confirm clears block and counter, and a replay does nothing", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    await failToCap(user, secret);
    const link = await unblockToken(user.email);
    const [stored] = await db().select().from(emailLinks).where(eq(emailLinks.userId, user.userId));
    expect(stored).toMatchObject({ purpose: "unblock_second_factor", consumedAt: null });
    expect(JSON.stringify(stored)).not.toContain(link);
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(24 * 3600 * 1000);

    // Opening the page (GET) only reads.
    expect(await unblockLinkLive(link)).toBe(true);
    expect((await account(user.userId)).blockedAt).toBeInstanceOf(Date);

    expect(await unblockSecondFactor(link, meta)).toEqual({ ok: true });
    expect(await account(user.userId)).toEqual({ failures: 0, blockedAt: null });
    expect(await auditEventsOf(user.userId, "second_factor.unblocked")).toHaveLength(1);
    expect(await unblockLinkLive(link)).toBe(false);

    const token = await signIn(user.email);
    expect((await verify(token, await totpCode(secret))).ok).toBe(true);

    // Blocked again later: the old link, replayed, does not lift the new block.
    await endShortTermLock(user.userId);
    await failToCap(user, secret);
    expect(await unblockSecondFactor(link, meta)).toMatchObject({ ok: false });
    expect((await account(user.userId)).blockedAt).toBeInstanceOf(Date);
    expect(await auditEventsOf(user.userId, "second_factor.unblocked")).toHaveLength(1);
  });

  it("a link of another purpose, an unknown token and an expired link do not unblock", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    await failToCap(user, secret);
    const link = await unblockToken(user.email);
    await db().update(emailLinks).set({ purpose: "something_else" });
    expect(await unblockSecondFactor(link, meta)).toMatchObject({ ok: false });
    await db().update(emailLinks).set({ purpose: "unblock_second_factor", expiresAt: new Date(Date.now() - 1000) });
    expect(await unblockSecondFactor(link, meta)).toMatchObject({ ok: false });
    expect(await unblockSecondFactor("not-a-token", meta)).toMatchObject({ ok: false });
    expect((await account(user.userId)).blockedAt).toBeInstanceOf(Date);
  });
});

describe("step-up tells the owner what sign-in tells them", () => {
  it("a TOTP code replayed in step-up is audited and emailed", async () => {
    const user = await createSignedInUser();
    const { secret } = await addTotpFactor(user.userId);
    const session = { id: user.userId, sessionId: user.sessionId };
    const code = await totpCode(secret);
    expect((await stepUp(session, { method: "totp", code }, meta)).ok).toBe(true);
    expect((await stepUp(session, { method: "totp", code }, meta)).ok).toBe(false);
    expect((await auditEventsOf(user.userId, "factor.totp_replayed")).map((e) => e.data)).toEqual([{ context: "step_up" }]);
    expect((await outboxTo(user.email)).map((m) => m.subject)).toContain("A code from your authenticator app was used twice");
  });

  it("a TOTP code replayed at sign-in goes the same way", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    const code = await totpCode(secret);
    expect((await verify(await signIn(user.email), code)).ok).toBe(true);
    expect((await verify(await signIn(user.email), code)).ok).toBe(false);
    expect((await auditEventsOf(user.userId, "factor.totp_replayed")).map((e) => e.data)).toEqual([{ context: "sign_in" }]);
    expect((await outboxTo(user.email)).map((m) => m.subject)).toContain("A code from your authenticator app was used twice");
  });

  it("a recovery code used in step-up is emailed, with how many are left", async () => {
    const user = await createSignedInUser();
    const { recoveryCodes: codes } = await addTotpFactor(user.userId);
    expect((await stepUp({ id: user.userId, sessionId: user.sessionId }, { method: "recovery_code", code: codes![0]! }, meta)).ok).toBe(true);
    const mail = (await outboxTo(user.email)).find((m) => m.subject === "A recovery code was used to confirm a change");
    expect(mail?.text).toContain("9 unused codes left");
    const unused = await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId));
    expect(unused.filter((c) => c.consumedAt === null)).toHaveLength(9);
  });
});
