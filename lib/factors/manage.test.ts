import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createSession, findSessionUser } from "@/lib/auth/sessions";
import { passwordStep } from "@/lib/auth/sign-in";
import { db } from "@/lib/db";
import { factors, recoveryCodes, trustedDevices } from "@/lib/db/schema";
import { addEmailFactor, addSmsFactor, addTotpFactor, auditEventsOf, createSignedInUser, meta, outboxTo, PASSWORD } from "@/tests/helpers";
import { listFactors } from ".";
import { removeFactor, renameFactor, setDefaultFactor, turnOffTwoFactor } from "./manage";
import { countRecoveryCodes } from "./recovery/recovery-codes";
import { isTrustedDevice, listTrustedDevices, trustDevice } from "./trusted-devices";

const NOT_FOUND = { ok: false, message: "That method no longer exists. Reload the page." };

/** A signed-in user with an app (default), email and SMS factor, a remembered device and two other sessions. */
async function userWithEverything() {
  const user = await createSignedInUser();
  const totp = await addTotpFactor(user.userId);
  const email = await addEmailFactor(user.userId);
  const sms = await addSmsFactor(user.userId);
  const device = await trustDevice(db(), user.userId, meta);
  const otherSessions = [await createSession(db(), { userId: user.userId, ...meta }), await createSession(db(), { userId: user.userId, ...meta })];
  return {
    user,
    current: { id: user.userId, sessionId: user.sessionId },
    factorIds: { totp: totp.factorId, email: email.factorId, sms: sms.factorId },
    deviceToken: device.token,
    otherSessions,
  };
}

async function defaults(userId: string) {
  return (await listFactors(userId)).filter((f) => f.isDefault).map((f) => f.id);
}

const subjectsTo = async (email: string) => (await outboxTo(email)).map((m) => m.subject);

describe("turning two-factor authentication off", () => {
  it("deletes factors and recovery codes, forgets devices, ends the other sessions, audits and emails", async () => {
    const { user, current, deviceToken, otherSessions } = await userWithEverything();
    const bystander = await userWithEverything();

    expect(await turnOffTwoFactor(current, meta)).toEqual({ ok: true });

    expect(await listFactors(user.userId)).toEqual([]);
    expect(await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId))).toEqual([]);
    expect(await isTrustedDevice(user.userId, deviceToken)).toBe(false);
    expect(await listTrustedDevices(user.userId)).toEqual([]);
    expect(await db().select().from(trustedDevices).where(and(eq(trustedDevices.userId, user.userId), isNull(trustedDevices.revokedAt)))).toEqual([]);
    for (const sessionId of otherSessions) expect(await findSessionUser(sessionId)).toBeNull();
    expect(await findSessionUser(user.sessionId)).toMatchObject({ id: user.userId });

    expect(await auditEventsOf(user.userId, "two_factor.disabled")).toHaveLength(1);
    expect(await subjectsTo(user.email)).toContain("Two-factor authentication was turned off");

    // The password alone signs in now.
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    expect(step).toMatchObject({ ok: true, secondFactorRequired: false });

    // Another account is untouched.
    expect(await listFactors(bystander.user.userId)).toHaveLength(3);
    expect(await countRecoveryCodes(bystander.user.userId)).toBe(10);
    expect(await isTrustedDevice(bystander.user.userId, bystander.deviceToken)).toBe(true);
    for (const sessionId of bystander.otherSessions) expect(await findSessionUser(sessionId)).not.toBeNull();
  });
});

describe("removing a factor", () => {
  it("removing the default makes the oldest remaining factor the default", async () => {
    const { user, current, factorIds } = await userWithEverything();
    expect(await defaults(user.userId)).toEqual([factorIds.totp]);
    expect(await removeFactor(current, factorIds.totp, meta)).toEqual({ ok: true, twoFactorOff: false });
    expect((await listFactors(user.userId)).map((f) => f.id)).toEqual([factorIds.email, factorIds.sms]);
    expect(await defaults(user.userId)).toEqual([factorIds.email]);

    expect((await auditEventsOf(user.userId, "factor.removed")).map((e) => e.data)).toEqual([{ factorId: factorIds.totp, kind: "totp" }]);
    const mail = (await outboxTo(user.email)).filter((m) => m.subject === "A second factor was removed from your account");
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("An authenticator app was removed");
    // 2FA stays on: codes and sessions are kept; remembered devices are signed out.
    expect(await countRecoveryCodes(user.userId)).toBe(10);
    expect(await listTrustedDevices(user.userId)).toEqual([]);
    expect(await auditEventsOf(user.userId, "two_factor.disabled")).toHaveLength(0);
  });

  it("removing another factor keeps the default", async () => {
    const { user, current, factorIds } = await userWithEverything();
    expect((await removeFactor(current, factorIds.sms, meta)).ok).toBe(true);
    expect(await defaults(user.userId)).toEqual([factorIds.totp]);
  });

  it("removing the last factor turns 2FA off the same way", async () => {
    const { user, current, factorIds, deviceToken, otherSessions } = await userWithEverything();
    await removeFactor(current, factorIds.email, meta);
    await removeFactor(current, factorIds.sms, meta);
    expect(await auditEventsOf(user.userId, "two_factor.disabled")).toHaveLength(0);

    expect(await removeFactor(current, factorIds.totp, meta)).toEqual({ ok: true, twoFactorOff: true });
    expect(await listFactors(user.userId)).toEqual([]);
    expect(await countRecoveryCodes(user.userId)).toBe(0);
    expect(await isTrustedDevice(user.userId, deviceToken)).toBe(false);
    for (const sessionId of otherSessions) expect(await findSessionUser(sessionId)).toBeNull();
    expect(await findSessionUser(user.sessionId)).not.toBeNull();
    expect(await auditEventsOf(user.userId, "two_factor.disabled")).toHaveLength(1);
    const last = (await outboxTo(user.email)).at(-1)!;
    expect(last.subject).toBe("A second factor was removed from your account");
    expect(last.text).toContain("two-factor authentication is now off");
  });

  it("a user cannot remove another user's factor, and a removed factor is gone for good", async () => {
    const alice = await userWithEverything();
    const mallory = await createSignedInUser();
    expect(await removeFactor({ id: mallory.userId, sessionId: mallory.sessionId }, alice.factorIds.totp, meta)).toEqual(NOT_FOUND);
    expect(await listFactors(alice.user.userId)).toHaveLength(3);
    expect(await auditEventsOf(alice.user.userId, "factor.removed")).toHaveLength(0);

    expect((await removeFactor(alice.current, alice.factorIds.sms, meta)).ok).toBe(true);
    expect(await removeFactor(alice.current, alice.factorIds.sms, meta)).toEqual(NOT_FOUND);
  });
});

describe("the default factor", () => {
  it("setDefaultFactor moves the default, keeping exactly one", async () => {
    const { user, factorIds } = await userWithEverything();
    expect(await setDefaultFactor(user.userId, factorIds.sms, meta)).toEqual({ ok: true });
    expect(await defaults(user.userId)).toEqual([factorIds.sms]);
    expect(await setDefaultFactor(user.userId, factorIds.sms, meta)).toEqual({ ok: true });
    expect(await defaults(user.userId)).toEqual([factorIds.sms]);
    expect(await setDefaultFactor(user.userId, factorIds.email, meta)).toEqual({ ok: true });
    expect(await defaults(user.userId)).toEqual([factorIds.email]);
    expect(await auditEventsOf(user.userId, "factor.default_changed")).toHaveLength(3);
  });

  it("concurrent changes still leave exactly one default", async () => {
    const { user, factorIds } = await userWithEverything();
    const ids = [factorIds.sms, factorIds.email, factorIds.totp, factorIds.sms, factorIds.email];
    const results = await Promise.allSettled(ids.map((id) => setDefaultFactor(user.userId, id, meta)));
    expect(results.some((r) => r.status === "fulfilled" && r.value.ok)).toBe(true);
    expect(await defaults(user.userId)).toHaveLength(1);
  });

  it("another user's factor cannot be made default", async () => {
    const alice = await userWithEverything();
    const mallory = await userWithEverything();
    expect(await setDefaultFactor(mallory.user.userId, alice.factorIds.sms, meta)).toEqual(NOT_FOUND);
    expect(await defaults(alice.user.userId)).toEqual([alice.factorIds.totp]);
    expect(await defaults(mallory.user.userId)).toEqual([mallory.factorIds.totp]);
  });
});

describe("renaming a factor", () => {
  const label = async (factorId: string) => (await db().select({ label: factors.label }).from(factors).where(eq(factors.id, factorId)))[0]!.label;

  it("saves a trimmed name of 1 to 60 characters and audits it", async () => {
    const { user, factorIds } = await userWithEverything();
    expect(await renameFactor(user.userId, factorIds.totp, "  Work   phone ", meta)).toEqual({ ok: true });
    expect(await label(factorIds.totp)).toBe("Work phone");
    expect(await renameFactor(user.userId, factorIds.totp, "x".repeat(60), meta)).toEqual({ ok: true });
    expect(await label(factorIds.totp)).toBe("x".repeat(60));
    expect((await auditEventsOf(user.userId, "factor.renamed")).map((e) => e.data)).toEqual([
      { factorId: factorIds.totp, label: "Work phone" },
      { factorId: factorIds.totp, label: "x".repeat(60) },
    ]);
  });

  it("refuses an empty or too long name and changes nothing", async () => {
    const { user, factorIds } = await userWithEverything();
    const before = await label(factorIds.totp);
    for (const bad of ["", "   ", "x".repeat(61)]) {
      expect(await renameFactor(user.userId, factorIds.totp, bad, meta)).toEqual({ ok: false, message: "Use a name of 1 to 60 characters." });
    }
    expect(await label(factorIds.totp)).toBe(before);
    expect(await auditEventsOf(user.userId, "factor.renamed")).toHaveLength(0);
  });

  it("a user cannot rename another user's factor", async () => {
    const alice = await userWithEverything();
    const mallory = await createSignedInUser();
    const before = await label(alice.factorIds.totp);
    expect(await renameFactor(mallory.userId, alice.factorIds.totp, "pwned", meta)).toEqual(NOT_FOUND);
    expect(await label(alice.factorIds.totp)).toBe(before);
    expect(await auditEventsOf(alice.user.userId, "factor.renamed")).toHaveLength(0);
  });
});
