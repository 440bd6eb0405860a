import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { stepUp } from "@/lib/auth/step-up";
import { db } from "@/lib/db";
import { memberships, trustedDevices } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import { removeMember } from "@/lib/teams/membership";
import { updateTeamPolicy } from "@/lib/teams/policy";
import {
  addEmailFactor,
  addTotpFactor,
  auditEventsOf,
  createSignedInUser,
  createUser,
  joinTeam,
  lastCodeTo,
  meta,
  OPEN_POLICY,
  OTHER_PHONE,
  outboxTo,
  PASSWORD,
  PHONE,
  totpCode,
} from "@/tests/helpers";
import { beginSms, finishSms } from "./codes/enroll";
import { removeFactor } from "./manage";

type User = Awaited<ReturnType<typeof createSignedInUser>>;

const REPLAY_SUBJECT = "A remembered device was signed out";

async function enterPassword(user: { email: string }, deviceToken?: string) {
  const result = await passwordStep({ email: user.email, password: PASSWORD }, meta, deviceToken);
  if (!result.ok) throw new Error(`password step failed: ${result.message}`);
  return result;
}

/** A signed-in user with an authenticator app and one remembered browser (its cookie's token). */
async function userWithDevice(): Promise<{ user: User; secret: string; recoveryCodes: string[]; token: string }> {
  const user = await createSignedInUser();
  const totp = await addTotpFactor(user.userId);
  const step = await enterPassword(user);
  const done = await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(totp.secret) }, { remember: true }, meta);
  if (!done.ok || !done.trustedDeviceToken) throw new Error("the device was not remembered");
  await exchangeChallenge(step.challengeToken, meta);
  return { user, secret: totp.secret, recoveryCodes: totp.recoveryCodes!, token: done.trustedDeviceToken };
}

const deviceRows = (userId: string) => db().select().from(trustedDevices).where(eq(trustedDevices.userId, userId));

async function liveDevices(userId: string) {
  return (await deviceRows(userId)).filter((row) => row.revokedAt === null);
}

const revocationReasons = async (userId: string) => (await auditEventsOf(userId, "trusted_device.revoked")).map((event) => event.data.reason);

describe("a remembered device's token rotates at every use", () => {
  it("a copied cookie used after the owner used theirs is refused and signs the device out, audited and emailed", async () => {
    const { user, token: copied } = await userWithDevice();

    // The owner signs in with the remembered browser: trusted, and the cookie gets a new token.
    const owner = await enterPassword(user, copied);
    expect(owner.secondFactorRequired).toBe(false);
    expect(owner.trustedDevice?.token).toMatch(/^[\w-]{43}$/);
    expect(owner.trustedDevice!.token).not.toBe(copied);
    const [row] = await deviceRows(user.userId);
    expect(row).toMatchObject({ tokenHash: hashToken(owner.trustedDevice!.token), previousTokenHash: hashToken(copied), revokedAt: null });
    expect(owner.trustedDevice!.expiresAt).toEqual(row!.expiresAt); // rotation does not extend the period

    // The attacker, who copied the cookie before and knows the password, presents the old token.
    const attacker = await enterPassword(user, copied);
    expect(attacker.secondFactorRequired).toBe(true);
    expect(attacker.trustedDevice).toBeUndefined();
    expect(await exchangeChallenge(attacker.challengeToken, meta)).toBeNull();

    // The device is signed out: the owner's fresh token no longer stands in for the factor either.
    expect(await liveDevices(user.userId)).toEqual([]);
    expect((await enterPassword(user, owner.trustedDevice!.token)).secondFactorRequired).toBe(true);
    const replays = await auditEventsOf(user.userId, "trusted_device.replayed");
    expect(replays.map((event) => event.data)).toEqual([{ deviceId: row!.id }]);
    const mail = (await outboxTo(user.email)).filter((message) => message.subject === REPLAY_SUBJECT);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("was used twice: someone may have copied it; we signed that device out");
  });

  it("a stolen cookie used first wins once; the owner's next use then signs the device out for both", async () => {
    const { user, token } = await userWithDevice();
    const thief = await enterPassword(user, token);
    expect(thief.secondFactorRequired).toBe(false);
    const owner = await enterPassword(user, token);
    expect(owner.secondFactorRequired).toBe(true);
    expect((await enterPassword(user, thief.trustedDevice!.token)).secondFactorRequired).toBe(true);
    expect(await auditEventsOf(user.userId, "trusted_device.replayed")).toHaveLength(1);
  });

  it("each new token works once: three sign-ins in a row rotate it three times", async () => {
    const { user, token } = await userWithDevice();
    let current = token;
    for (let i = 0; i < 3; i++) {
      const step = await enterPassword(user, current);
      expect(step.secondFactorRequired).toBe(false);
      expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
      current = step.trustedDevice!.token;
    }
    expect(await liveDevices(user.userId)).toHaveLength(1);
    expect(await auditEventsOf(user.userId, "trusted_device.replayed")).toHaveLength(0);
  });

  it("of 10 concurrent uses of one token exactly one is trusted; the others count as a copy", async () => {
    const { user, token } = await userWithDevice();
    const steps = await Promise.all(Array.from({ length: 10 }, () => enterPassword(user, token)));
    expect(steps.filter((step) => !step.secondFactorRequired)).toHaveLength(1);
    expect(steps.filter((step) => step.trustedDevice)).toHaveLength(1);
    expect(await liveDevices(user.userId)).toEqual([]);
    expect(await auditEventsOf(user.userId, "trusted_device.replayed")).toHaveLength(1);
  });

  it("another user's old token neither signs in nor touches that user's device", async () => {
    const alice = await userWithDevice();
    const mallory = await userWithDevice();
    const rotated = await enterPassword(mallory.user, mallory.token);
    expect(rotated.secondFactorRequired).toBe(false);
    expect((await enterPassword(alice.user, mallory.token)).secondFactorRequired).toBe(true);
    expect(await liveDevices(mallory.user.userId)).toHaveLength(1);
    expect((await enterPassword(alice.user, alice.token)).secondFactorRequired).toBe(false);
  });
});

describe("a remembered device is signed out when", () => {
  it("any factor is removed (not only the last one)", async () => {
    const { user, token } = await userWithDevice();
    const email = await addEmailFactor(user.userId);
    expect((await removeFactor({ id: user.userId, sessionId: user.sessionId }, email.factorId, meta)).ok).toBe(true);
    expect(await liveDevices(user.userId)).toEqual([]);
    expect((await enterPassword(user, token)).secondFactorRequired).toBe(true);
    expect(await revocationReasons(user.userId)).toEqual(["factor_removed"]);
  });

  it("the phone number changes", async () => {
    const { user, token } = await userWithDevice();
    const who = { id: user.userId, email: user.email };
    await beginSms(who, PHONE, meta);
    expect((await finishSms(who, { phone: PHONE, code: await lastCodeTo(PHONE) }, meta)).ok).toBe(true);
    // Adding a number is not a change of number: the device stays.
    expect(await liveDevices(user.userId)).toHaveLength(1);
    await beginSms(who, OTHER_PHONE, meta);
    expect(await finishSms(who, { phone: OTHER_PHONE, code: await lastCodeTo(OTHER_PHONE) }, meta)).toMatchObject({ ok: true, changed: true });
    expect(await liveDevices(user.userId)).toEqual([]);
    expect((await enterPassword(user, token)).secondFactorRequired).toBe(true);
    expect(await revocationReasons(user.userId)).toEqual(["phone_changed"]);
  });

  it("a recovery code signs in: the sign-in still completes, every remembered device is forgotten", async () => {
    const { user, token, recoveryCodes } = await userWithDevice();
    const step = await enterPassword(user);
    const done = await verifyChallenge(step.challengeToken, { method: "recovery_code", code: recoveryCodes[0]! }, { remember: false }, meta);
    expect(done).toMatchObject({ ok: true, remainingRecoveryCodes: 9 });
    expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
    expect(await liveDevices(user.userId)).toEqual([]);
    expect((await enterPassword(user, token)).secondFactorRequired).toBe(true);
    expect(await revocationReasons(user.userId)).toEqual(["recovery_code"]);
  });

  it("a recovery code signs in and asks to remember this browser: only the new one is remembered", async () => {
    const { user, token, recoveryCodes } = await userWithDevice();
    const step = await enterPassword(user);
    const done = await verifyChallenge(step.challengeToken, { method: "recovery_code", code: recoveryCodes[0]! }, { remember: true }, meta);
    expect(done.ok && done.trustedDeviceToken).toBeTruthy();
    expect(await liveDevices(user.userId)).toHaveLength(1);
    expect((await enterPassword(user, token)).secondFactorRequired).toBe(true);
    expect((await enterPassword(user, done.ok ? done.trustedDeviceToken : undefined)).secondFactorRequired).toBe(false);
  });

  it("a recovery code is used for step-up", async () => {
    const { user, token, recoveryCodes } = await userWithDevice();
    expect(await stepUp({ id: user.userId, sessionId: user.sessionId }, { method: "recovery_code", code: recoveryCodes[1]! }, meta)).toEqual({ ok: true });
    expect(await liveDevices(user.userId)).toEqual([]);
    expect((await enterPassword(user, token)).secondFactorRequired).toBe(true);
  });

  it("the member leaves the team whose remember period applied; a device remembered under another team's period stays", async () => {
    const owner = await createUser();
    const [ownerTeam] = await db().select({ teamId: memberships.teamId }).from(memberships).where(eq(memberships.userId, owner.userId));
    const strictTeam = ownerTeam!.teamId;
    expect((await updateTeamPolicy(strictTeam, { id: owner.userId }, { ...OPEN_POLICY, rememberDeviceDays: 7 }, meta)).ok).toBe(true);

    // Remembered while in the personal team only (30 days): the personal team's period applied.
    const { user, secret, token: before } = await userWithDevice();
    const [personal] = await db().select({ teamId: memberships.teamId }).from(memberships).where(eq(memberships.userId, user.userId));
    await joinTeam(strictTeam, user.userId);

    // Remembered in the strict team (7 days, the shortest): that team's period applied.
    const step = await enterPassword(user);
    const done = await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret, 1) }, { remember: true }, meta);
    const during = done.ok ? done.trustedDeviceToken! : "";
    const periodTeams = Object.fromEntries((await deviceRows(user.userId)).map((row) => [row.tokenHash, row.periodTeamId]));
    expect(periodTeams[hashToken(during)]).toBe(strictTeam);
    expect(Object.values(periodTeams)).toContain(personal!.teamId);

    expect(await removeMember(strictTeam, { id: owner.userId }, user.userId, meta)).toEqual({ ok: true, changed: true });
    const live = await liveDevices(user.userId);
    expect(live.map((row) => row.periodTeamId)).toEqual([personal!.teamId]);
    expect((await enterPassword(user, during)).secondFactorRequired).toBe(true);
    expect(await revocationReasons(user.userId)).toEqual(["left_team"]);
    // The device remembered under the personal team's period still stands in for the factor.
    expect((await enterPassword(user, before)).secondFactorRequired).toBe(false);
  });
});
