import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { memberships, outbox, sessions, teams, users } from "@/lib/db/schema";
import { addEmailFactor, addTotpFactor, createSignedInUser, createUser, lastCodeTo, meta, outboxTo, PASSWORD, totpCode } from "@/tests/helpers";
import { exchangeChallenge } from "./challenge";
import { requestPasswordReset, resetPassword } from "./password-reset";
import { describeChallenge, sendChallengeCode, verifyChallenge } from "./second-factor";
import { passwordStep } from "./sign-in";

const NEW_PASSWORD = "the attacker's new passphrase";

/** "Forgot password" as the attacker who reads the mailbox does it: asks for the link, opens it, sets a password. */
async function resetByMailbox(email: string, password = NEW_PASSWORD) {
  const asked = await requestPasswordReset(email, meta);
  if (!asked.ok) throw new Error(asked.message);
  await asked.delivered;
  const [mail] = await db().select().from(outbox).where(eq(outbox.to, email)).orderBy(desc(outbox.seq)).limit(1);
  const token = mail?.text.match(/reset-password\?token=([\w-]+)/)?.[1];
  if (!token) throw new Error("no reset link in the outbox");
  const done = await resetPassword(token, password, meta);
  if (!done.ok) throw new Error(done.message);
}

async function signIn(email: string, password = NEW_PASSWORD) {
  const step = await passwordStep({ email, password }, meta);
  if (!step.ok) throw new Error(step.message);
  return step;
}

const suspendedAt = async (userId: string) => (await db().select({ at: users.emailFactorSuspendedAt }).from(users).where(eq(users.id, userId)))[0]!.at;

/** A person whose only second factor is the email code (with the recovery codes every first factor brings). */
async function emailOnlyUser() {
  const user = await createUser();
  const added = await addEmailFactor(user.userId);
  return { user, recoveryCodes: added.recoveryCodes! };
}

describe("the mailbox alone is not enough", () => {
  it("an attacker who reads only the mailbox resets the password, signs in, and ends at the challenge without access", async () => {
    const { user } = await emailOnlyUser();
    await resetByMailbox(user.email);
    const sentBefore = (await outboxTo(user.email)).length;

    const step = await signIn(user.email);
    expect(step.secondFactorRequired).toBe(true);
    // No sign-in code lands in the mailbox the attacker reads…
    expect(await outboxTo(user.email)).toHaveLength(sentBefore);
    const challenge = await describeChallenge(step.challengeToken);
    expect(challenge).toMatchObject({ emailSuspended: true, recoveryCodesLeft: 10 });
    expect(challenge!.methods.map((m) => m.kind)).toEqual([]);
    // …not even when asked for one directly, bypassing the page.
    expect(await sendChallengeCode(step.challengeToken, "email", meta)).toMatchObject({ ok: false, unusable: true });
    expect(await outboxTo(user.email)).toHaveLength(sentBefore);
    // An emailed code is not taken as the second factor either.
    expect(await verifyChallenge(step.challengeToken, { method: "email", code: "123456" }, { remember: false }, meta)).toMatchObject({ ok: false });
    expect(await exchangeChallenge(step.challengeToken, meta)).toBeNull();
    expect(await db().select().from(sessions).where(eq(sessions.userId, user.userId))).toHaveLength(0);
  });

  it("the reset marks the email factor suspended in its own transaction", async () => {
    const { user } = await emailOnlyUser();
    expect(await suspendedAt(user.userId)).toBeNull();
    await resetByMailbox(user.email);
    expect(await suspendedAt(user.userId)).toBeInstanceOf(Date);
  });

  it("the owner signs in with a recovery code, which lifts the suspension: the next sign-in takes the email code again", async () => {
    const { user, recoveryCodes } = await emailOnlyUser();
    await resetByMailbox(user.email, "the owner's new passphrase");

    const step = await signIn(user.email, "the owner's new passphrase");
    const done = await verifyChallenge(step.challengeToken, { method: "recovery_code", code: recoveryCodes[0]! }, { remember: false }, meta);
    expect(done).toMatchObject({ ok: true, remainingRecoveryCodes: 9 });
    expect(await exchangeChallenge(step.challengeToken, meta)).toMatchObject({ userId: user.userId });
    expect(await suspendedAt(user.userId)).toBeNull();

    const next = await signIn(user.email, "the owner's new passphrase");
    expect((await describeChallenge(next.challengeToken))!.methods.map((m) => m.kind)).toEqual(["email"]);
    const code = await lastCodeTo(user.email); // sent at the password step, as before the reset
    expect((await verifyChallenge(next.challengeToken, { method: "email", code }, { remember: false }, meta)).ok).toBe(true);
  });

  it("a person with an authenticator app beside email is offered the app only, and the app lifts the suspension", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    await addEmailFactor(user.userId);
    await resetByMailbox(user.email);

    const step = await signIn(user.email);
    const challenge = await describeChallenge(step.challengeToken);
    expect(challenge!.methods.map((m) => m.kind)).toEqual(["totp"]);
    expect(challenge!.emailSuspended).toBe(true);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: false }, meta)).ok).toBe(true);
    expect(await suspendedAt(user.userId)).toBeNull();
  });

  it("a failed attempt does not lift the suspension", async () => {
    const { user } = await emailOnlyUser();
    await resetByMailbox(user.email);
    const step = await signIn(user.email);
    expect((await verifyChallenge(step.challengeToken, { method: "recovery_code", code: "abcd-efgh-jkmn" }, { remember: false }, meta)).ok).toBe(false);
    expect(await suspendedAt(user.userId)).toBeInstanceOf(Date);
  });

  it("step-up cannot meet a suspended email factor: the reset ended every session, and the only way back to one lifts it", async () => {
    const user = await createSignedInUser();
    const { recoveryCodes } = await addEmailFactor(user.userId);
    await resetByMailbox(user.email);
    // The session from before the reset is gone, so no step-up can run in it.
    const [old] = await db().select({ revokedAt: sessions.revokedAt }).from(sessions).where(eq(sessions.id, user.sessionId));
    expect(old?.revokedAt ?? null).not.toBeNull();
    const step = await signIn(user.email);
    await verifyChallenge(step.challengeToken, { method: "recovery_code", code: recoveryCodes![0]! }, { remember: false }, meta);
    expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
    expect(await suspendedAt(user.userId)).toBeNull();
  });

  it("a browser remembered before the reset no longer skips the challenge", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    const first = await signIn(user.email, PASSWORD);
    const remembered = await verifyChallenge(first.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: true }, meta);
    const deviceToken = remembered.ok ? remembered.trustedDeviceToken : undefined;
    expect(deviceToken).toBeTruthy();
    await resetByMailbox(user.email);
    const step = await passwordStep({ email: user.email, password: NEW_PASSWORD }, meta, deviceToken);
    expect(step).toMatchObject({ ok: true, secondFactorRequired: true });
  });
});

describe("new teams", () => {
  it("suggest the authenticator app, not email, as the default method for new members", async () => {
    const user = await createUser();
    const [team] = await db()
      .select({ defaultMethod: teams.defaultMethod })
      .from(teams)
      .innerJoin(memberships, eq(memberships.teamId, teams.id))
      .where(eq(memberships.userId, user.userId));
    expect(team!.defaultMethod).toBe("totp");
  });
});
