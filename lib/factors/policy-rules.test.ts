import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { openWhileBlocked } from "@/lib/auth/policy-gate";
import { describeChallenge, sendChallengeCode, verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { db } from "@/lib/db";
import { factors, memberships, teams, trustedDevices, type FactorKind, type Role } from "@/lib/db/schema";
import { CREDIT_MESSAGES } from "@/lib/teams/credits";
import { effectivePolicy, updateTeamPolicy, type PolicyInput } from "@/lib/teams/policy";
import { addEmailFactor, addSmsFactor, addTotpFactor, createUser, endCodeCooldowns, lastCodeTo, meta, PASSWORD, totpCode } from "@/tests/helpers";
import { beginEmail, beginSms } from "./codes/enroll";
import { listFactors } from ".";
import { removeFactor, setDefaultFactor, turnOffTwoFactor } from "./manage";
import { listSignInMethods } from "./methods";
import { addableKinds, enrollRefusal } from "./policy-rules";

const ALL: FactorKind[] = ["totp", "email", "sms", "webauthn"];
const base: PolicyInput = { requireTwoFactor: true, graceDays: 0, allowedMethods: ALL, smsBackupOnly: false, defaultMethod: "totp", rememberDeviceDays: 30 };

/** A team whose owner set `policy`, and a new member of it. */
async function memberOf(policy: Partial<PolicyInput>, role: Role = "member") {
  const owner = await createUser({ name: "Acme Owner" });
  const result = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...base, ...policy }, meta);
  if (!result.ok) throw new Error(result.message);
  const member = await createUser({ name: "Mia Member" });
  await db().insert(memberships).values({ teamId: owner.teamId, userId: member.userId, role });
  return { owner, member, teamId: owner.teamId };
}

async function signIn(email: string, deviceToken?: string) {
  const step = await passwordStep({ email, password: PASSWORD }, meta, deviceToken);
  if (!step.ok) throw new Error(step.message);
  return step;
}

describe("the 2FA requirement gate", () => {
  it("keeps only the setup page, the wizards and the step-up page open to a blocked user", () => {
    for (const open of ["/setup-2fa", "/invite/abc", "/settings/security/add/totp", "/settings/security/add/sms?x=1", "/settings/security/confirm?next=/x"]) {
      expect(openWhileBlocked(open)).toBe(true);
    }
    for (const closed of ["/dashboard", "/settings/security", "/team/members", "/setup-2fa-evil", "/settings/security/additional"]) {
      expect(openWhileBlocked(closed)).toBe(false);
    }
  });

  it("blocks a member without a factor once the team requires 2FA with no grace, and lets them through after enrolling", async () => {
    const { member } = await memberOf({});
    expect((await effectivePolicy(member.userId)).status).toBe("blocked");
    await addTotpFactor(member.userId);
    expect((await effectivePolicy(member.userId)).status).toBe("ok");
  });
});

describe("allowed methods at enrollment", () => {
  it("refuses a disallowed method before anything is sent, naming the team and the allowed methods", async () => {
    const { member } = await memberOf({ allowedMethods: ["totp", "webauthn"], defaultMethod: "totp" });
    const refused = await beginEmail({ id: member.userId, email: member.email }, meta);
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? "" : refused.message).toBe("Acme Owner's team doesn't allow email code. Choose authenticator app and security key or passkey.");
    expect(addableKinds(await effectivePolicy(member.userId))).toEqual(["totp", "webauthn"]);
  });

  it("allows SMS as a backup only after another accepted method, and never as the default", async () => {
    const { member } = await memberOf({ smsBackupOnly: true });
    expect(await enrollRefusal(member.userId, "sms")).toMatch(/allows text messages as a backup only/);
    expect((await beginSms({ id: member.userId, email: member.email }, "+1 415 555 2671", meta)).ok).toBe(false);
    expect(addableKinds(await effectivePolicy(member.userId))).not.toContain("sms");

    await addTotpFactor(member.userId);
    expect(await enrollRefusal(member.userId, "sms")).toBeNull();
    const sms = await addSmsFactor(member.userId);
    expect(await setDefaultFactor(member.userId, sms.factorId, meta)).toEqual({
      ok: false,
      message: "Acme Owner's team allows text messages as a backup only, so they can't be your default.",
    });
  });

  it("does not restrict a user whose teams do not require 2FA", async () => {
    const { member } = await memberOf({ requireTwoFactor: false, allowedMethods: ["totp"], defaultMethod: "totp" });
    expect(await enrollRefusal(member.userId, "sms")).toBeNull();
    expect(addableKinds(await effectivePolicy(member.userId))).toEqual(ALL);
  });

  it("keeps the last accepted factor: removing it or turning 2FA off is refused while required", async () => {
    const { member } = await memberOf({ allowedMethods: ["totp", "email"], defaultMethod: "totp" });
    const totp = await addTotpFactor(member.userId);
    await addSmsFactor(member.userId);
    const user = { id: member.userId, sessionId: "00000000-0000-4000-8000-000000000000" };
    expect(await removeFactor(user, totp.factorId, meta)).toMatchObject({ ok: false, message: expect.stringMatching(/add authenticator app and email code before removing/) });
    expect(await turnOffTwoFactor(user, meta)).toMatchObject({ ok: false, message: "Acme Owner's team requires two-factor authentication, so it can't be turned off." });
    expect(await listFactors(member.userId)).toHaveLength(2);
  });
});

describe("allowed methods at sign-in", () => {
  it("offers and accepts only allowed kinds when the user has one; a disallowed code is neither sent nor checked", async () => {
    const { member } = await memberOf({ allowedMethods: ["totp"], defaultMethod: "totp" });
    const { secret } = await addTotpFactor(member.userId);
    await addEmailFactor(member.userId);
    await db().update(factors).set({ isDefault: sql`kind = 'email'` }).where(eq(factors.userId, member.userId));

    const step = await signIn(member.email);
    const challenge = await describeChallenge(step.challengeToken);
    expect(challenge!.methods.map((m) => m.kind)).toEqual(["totp"]);
    expect(await sendChallengeCode(step.challengeToken, "email", meta)).toEqual({
      ok: false,
      message: "Your team doesn't allow this method for signing in. Use another method.",
      unusable: true,
    });
    expect(await verifyChallenge(step.challengeToken, { method: "email", code: "123456" }, { remember: false }, meta)).toMatchObject({ ok: false });
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: false }, meta)).ok).toBe(true);
  });

  it("lets a user whose only factor became disallowed sign in with it once, then blocks them until they enroll", async () => {
    const { member } = await memberOf({ allowedMethods: ["webauthn"], defaultMethod: "webauthn" });
    const { secret } = await addTotpFactor(member.userId);
    const step = await signIn(member.email);
    expect((await listSignInMethods(member.userId)).methods.map((m) => m.kind)).toEqual(["totp"]);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: false }, meta)).ok).toBe(true);
    expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
    expect((await effectivePolicy(member.userId)).status).toBe("blocked");
  });

  it("never puts SMS first while it is a backup only", async () => {
    const { member } = await memberOf({ smsBackupOnly: true });
    await addTotpFactor(member.userId);
    await addSmsFactor(member.userId);
    await db().update(factors).set({ isDefault: sql`kind = 'sms'` }).where(eq(factors.userId, member.userId));
    expect((await listSignInMethods(member.userId)).methods.map((m) => m.kind)).toEqual(["totp", "sms"]);
  });
});

describe("the remember-device period", () => {
  it("'never' hides the choice, remembers nothing and asks at every sign-in", async () => {
    const { member } = await memberOf({ rememberDeviceDays: 0 });
    const { secret } = await addTotpFactor(member.userId);
    const step = await signIn(member.email);
    expect((await describeChallenge(step.challengeToken))!.rememberDays).toBe(0);
    const done = await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: true }, meta);
    expect(done).toMatchObject({ ok: true, trustedDeviceToken: undefined });
    expect(await db().select().from(trustedDevices).where(eq(trustedDevices.userId, member.userId))).toHaveLength(0);
    expect((await signIn(member.email)).secondFactorRequired).toBe(true);
  });

  it("the shortest period of the user's teams applies, also to devices remembered before they joined", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    const step = await signIn(user.email);
    const done = await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: true }, meta);
    if (!done.ok) throw new Error(done.message);
    // Remembered 3 days ago under the 30-day default…
    await db().update(trustedDevices).set({ createdAt: sql`now() - interval '3 days'` }).where(eq(trustedDevices.userId, user.userId));
    expect((await signIn(user.email, done.trustedDeviceToken)).secondFactorRequired).toBe(false);

    // …then the user joins a team that remembers devices for 1 day: the device no longer counts.
    const owner = await createUser();
    const set = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...base, requireTwoFactor: false, rememberDeviceDays: 1 }, meta);
    expect(set.ok).toBe(true);
    await db().insert(memberships).values({ teamId: owner.teamId, userId: user.userId, role: "member" });
    expect((await signIn(user.email, done.trustedDeviceToken)).secondFactorRequired).toBe(true);
    const next = await signIn(user.email);
    const remembered = await verifyChallenge(next.challengeToken, { method: "totp", code: await totpCode(secret, 1) }, { remember: true }, meta);
    expect(remembered.ok && (remembered.trustedUntil!.getTime() - Date.now()) / 86_400_000).toBeCloseTo(1, 1);
  });
});

describe("no SMS credits at sign-in", () => {
  it("refuses the text and the call, points at the other methods, and the email code still works", async () => {
    const user = await createUser();
    await addEmailFactor(user.userId);
    await addSmsFactor(user.userId);
    await db().update(teams).set({ creditBalance: 0 }).where(eq(teams.id, user.teamId));
    const step = await signIn(user.email); // the default (email) code is on its way
    await endCodeCooldowns();
    for (const channel of ["sms", "voice"] as const) {
      expect(await sendChallengeCode(step.challengeToken, channel, meta)).toMatchObject({ ok: false, message: CREDIT_MESSAGES.NO_CREDITS, unusable: true });
    }
    const done = await verifyChallenge(step.challengeToken, { method: "email", code: await lastCodeTo(user.email) }, { remember: false }, meta);
    expect(done.ok).toBe(true);
  });
});
