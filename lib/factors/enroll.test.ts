import { eq, like } from "drizzle-orm";
import { generate } from "otplib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { db } from "@/lib/db";
import { factors, otpCodes, outbox, rateLimits, recoveryCodes } from "@/lib/db/schema";
import { auditEventsOf, createUser, endCodeCooldowns, lastCodeTo, meta, OTHER_PHONE, outboxTo, PASSWORD, PHONE, totpCode } from "@/tests/helpers";
import { listFactors } from ".";
import { beginEmail, beginSms, beginTotp, finishEmail, finishSms, finishTotp } from "./enroll";
import { countRecoveryCodes } from "./recovery-codes";
import { openTotpSecret } from "./totp";

afterEach(() => {
  vi.restoreAllMocks();
});

const ADDED_SUBJECT = "A second factor was added to your account";

async function person() {
  const user = await createUser();
  return { user, who: { id: user.userId, email: user.email } };
}

const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("authenticator app enrollment", () => {
  it("a wrong code saves nothing", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    const result = await finishTotp(who, { enrollment: setup.enrollment, code: otherThan(await totpCode(setup.secret)), label: "Phone" }, meta);
    expect(result).toEqual({ ok: false, field: "code", message: "That code didn't match. Enter the 6-digit code your app shows now." });
    expect(await listFactors(user.userId)).toEqual([]);
    expect(await countRecoveryCodes(user.userId)).toBe(0);
    expect(await auditEventsOf(user.userId, "factor.added")).toHaveLength(0);
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(0);
    expect(await outboxTo(user.email)).toHaveLength(1); // the welcome email only
  });

  it("one setup saves one factor, even when the form is submitted twice at once", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    const code = await totpCode(setup.secret);
    const results = await Promise.all([1, 2].map(() => finishTotp(who, { enrollment: setup.enrollment, code, label: "" }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await listFactors(user.userId)).toHaveLength(1);
  });

  it("a tampered enrollment token, or another user's, is refused", async () => {
    const { user, who } = await person();
    const other = await person();
    const setup = beginTotp(who);
    const code = await totpCode(setup.secret);
    const parts = setup.enrollment.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString("base64url")].join(".");
    const invalid = { ok: false, message: "This setup is not valid. Start again to get a new QR code." };

    expect(await finishTotp(who, { enrollment: tampered, code, label: "" }, meta)).toEqual(invalid);
    expect(await finishTotp(who, { enrollment: "v1.garbage", code, label: "" }, meta)).toEqual(invalid);
    expect(await finishTotp(who, { enrollment: "", code, label: "" }, meta)).toEqual(invalid);
    // A token begun for one user does not enroll another (the secret is bound to the user).
    expect(await finishTotp(other.who, { enrollment: setup.enrollment, code, label: "" }, meta)).toEqual(invalid);
    expect(await listFactors(user.userId)).toEqual([]);
    expect(await listFactors(other.user.userId)).toEqual([]);
  });

  it("an enrollment token older than 15 minutes is refused, even with a valid code", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    const later = Date.now() + 16 * 60 * 1000;
    vi.spyOn(Date, "now").mockReturnValue(later);
    const code = await generate({ secret: setup.secret, epoch: Math.floor(later / 1000) });
    expect(await finishTotp(who, { enrollment: setup.enrollment, code, label: "" }, meta)).toEqual({
      ok: false,
      message: "This setup expired. Start again to get a new QR code.",
    });
    expect(await listFactors(user.userId)).toEqual([]);
  });

  it("the right code saves one factor; the first turns 2FA on with 10 recovery codes, an audit event and an email", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    const result = await finishTotp(who, { enrollment: setup.enrollment, code: await totpCode(setup.secret), label: "  Pixel   8 " }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.recoveryCodes).toHaveLength(10);
    expect(await countRecoveryCodes(user.userId)).toBe(10);

    const saved = await listFactors(user.userId);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ id: result.factorId, kind: "totp", label: "Pixel 8", isDefault: true });
    expect(openTotpSecret(saved[0]!.secretEncrypted!, user.userId)).toBe(setup.secret);
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(1);
    expect((await auditEventsOf(user.userId, "factor.added")).map((e) => e.data)).toEqual([{ kind: "totp", factorId: result.factorId }]);

    const mail = (await outboxTo(user.email)).filter((m) => m.subject === ADDED_SUBJECT);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("An authenticator app was added to your Tessera account.");
  });

  it("a second factor is not default and brings no new recovery codes", async () => {
    const { user, who } = await person();
    const first = beginTotp(who);
    const a = await finishTotp(who, { enrollment: first.enrollment, code: await totpCode(first.secret), label: "" }, meta);
    const second = beginTotp(who);
    const b = await finishTotp(who, { enrollment: second.enrollment, code: await totpCode(second.secret), label: "" }, meta);
    expect(b.ok && b.recoveryCodes).toBeFalsy();
    const saved = await listFactors(user.userId);
    expect(saved.map((f) => [f.id, f.isDefault, f.label])).toEqual([
      [a.ok && a.factorId, true, "Authenticator app"],
      [b.ok && b.factorId, false, "Authenticator app"],
    ]);
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(1);
    expect(await auditEventsOf(user.userId, "recovery_codes.generated")).toHaveLength(1);
  });

  it("the code used to enroll cannot be replayed at sign-in", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    const code = await totpCode(setup.secret);
    expect((await finishTotp(who, { enrollment: setup.enrollment, code, label: "" }, meta)).ok).toBe(true);
    expect((await listFactors(user.userId))[0]!.lastTotpStep).not.toBeNull();

    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    expect(step.secondFactorRequired).toBe(true);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code }, { remember: false }, meta)).ok).toBe(false);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(setup.secret, 1) }, { remember: false }, meta)).ok).toBe(true);
  });
});

describe("email code enrollment", () => {
  it("sends a code to the account address; the right code adds the email factor", async () => {
    const { user, who } = await person();
    const begun = await beginEmail(who, meta);
    expect(begun).toMatchObject({ ok: true, sentTo: expect.stringMatching(/^u•+@example\.com$/) });
    const message = (await outboxTo(user.email)).at(-1)!;
    expect(message.subject).toBe("Confirm your email address for Tessera");
    const code = await lastCodeTo(user.email);

    expect(await finishEmail(who, otherThan(code), meta)).toMatchObject({ ok: false, field: "code" });
    expect(await listFactors(user.userId)).toEqual([]);

    const done = await finishEmail(who, code, meta);
    expect(done).toMatchObject({ ok: true, recoveryCodes: expect.any(Array) });
    expect((await listFactors(user.userId)).map((f) => [f.kind, f.isDefault])).toEqual([["email", true]]);
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(1);
    expect(await outboxTo(user.email).then((all) => all.filter((m) => m.subject === ADDED_SUBJECT))).toHaveLength(1);

    // The code is used up, and email codes cannot be added twice.
    expect((await finishEmail(who, code, meta)).ok).toBe(false);
    await endCodeCooldowns();
    await beginEmail(who, meta);
    expect(await finishEmail(who, await lastCodeTo(user.email), meta)).toMatchObject({ ok: false, message: "Email codes are already on for this account." });
    expect(await listFactors(user.userId)).toHaveLength(1);
  });

  it("refuses finishing without a code sent", async () => {
    const { user, who } = await person();
    expect((await finishEmail(who, "123456", meta)).ok).toBe(false);
    expect(await listFactors(user.userId)).toEqual([]);
  });
});

describe("SMS enrollment", () => {
  it("a bad phone number gets a field error and nothing is sent", async () => {
    const { user, who } = await person();
    for (const bad of ["", "not a phone", "415 555 2671", "+1 555", "+999 1234567"]) {
      const result = await beginSms(who, bad, meta);
      expect(result, bad).toMatchObject({ ok: false, field: "phone", message: expect.any(String) });
    }
    expect(await db().select().from(outbox)).toHaveLength(1); // the welcome email
    expect(await db().select().from(otpCodes)).toEqual([]);
    expect(await listFactors(user.userId)).toEqual([]);
  });

  it("texts a code to the number (stored E.164); the right code adds the SMS factor", async () => {
    const { user, who } = await person();
    const begun = await beginSms(who, "+1 (415) 555-2671", meta);
    expect(begun).toMatchObject({ ok: true, phone: PHONE, sentTo: expect.stringMatching(/2671$/) });
    expect(await listFactors(user.userId)).toEqual([]); // nothing until the code comes back
    const code = await lastCodeTo(PHONE);

    expect(await finishSms(who, { phone: PHONE, code: otherThan(code) }, meta)).toMatchObject({ ok: false, field: "code" });
    expect(await listFactors(user.userId)).toEqual([]);

    const done = await finishSms(who, { phone: PHONE, code }, meta);
    expect(done).toMatchObject({ ok: true, changed: false, recoveryCodes: expect.any(Array) });
    const saved = await listFactors(user.userId);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ kind: "sms", phone: PHONE, isDefault: true });
    expect(saved[0]!.label).not.toContain("555"); // masked
    expect((await outboxTo(user.email)).map((m) => m.subject)).toContain(ADDED_SUBJECT);
  });

  it("a code sent to one number does not verify another", async () => {
    const { user, who } = await person();
    await beginSms(who, PHONE, meta);
    const code = await lastCodeTo(PHONE);
    expect((await finishSms(who, { phone: OTHER_PHONE, code }, meta)).ok).toBe(false);
    expect(await listFactors(user.userId)).toEqual([]);
  });

  it("changing the number: the old number stays until the new one is verified", async () => {
    const { user, who } = await person();
    await beginSms(who, PHONE, meta);
    const first = await finishSms(who, { phone: PHONE, code: await lastCodeTo(PHONE) }, meta);
    expect(first.ok).toBe(true);
    const factorId = first.ok ? first.factorId : "";
    const phoneOnFactor = async () => (await db().select({ phone: factors.phone }).from(factors).where(eq(factors.id, factorId)))[0]!.phone;

    expect(await beginSms(who, OTHER_PHONE, meta)).toMatchObject({ ok: true, phone: OTHER_PHONE });
    expect(await phoneOnFactor()).toBe(PHONE);
    const code = await lastCodeTo(OTHER_PHONE);
    expect((await finishSms(who, { phone: OTHER_PHONE, code: otherThan(code) }, meta)).ok).toBe(false);
    expect(await phoneOnFactor()).toBe(PHONE);
    expect(await auditEventsOf(user.userId, "factor.phone_changed")).toHaveLength(0);

    expect(await finishSms(who, { phone: OTHER_PHONE, code }, meta)).toEqual({ ok: true, factorId, changed: true });
    expect(await phoneOnFactor()).toBe(OTHER_PHONE);
    const sms = (await listFactors(user.userId)).filter((f) => f.kind === "sms");
    expect(sms).toHaveLength(1);
    expect(sms[0]!.label).toMatch(/56 78$/);
    expect((await auditEventsOf(user.userId, "factor.phone_changed")).map((e) => e.data)).toEqual([{ factorId }]);
    expect((await outboxTo(user.email)).map((m) => m.subject)).toContain("Your phone number for sign-in codes changed");
    // Still one set of recovery codes, still on.
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(1);
  });
});

describe("concurrent enrollments", () => {
  it("two first factors finishing at once leave exactly one default and one set of recovery codes", async () => {
    const { user, who } = await person();
    const setup = beginTotp(who);
    await beginEmail(who, meta);
    const emailCode = await lastCodeTo(user.email);
    const totp = await totpCode(setup.secret);

    const [a, b] = await Promise.all([finishTotp(who, { enrollment: setup.enrollment, code: totp, label: "" }, meta), finishEmail(who, emailCode, meta)]);
    expect(a.ok && b.ok).toBe(true);
    const saved = await listFactors(user.userId);
    expect(saved.map((f) => f.kind).sort()).toEqual(["email", "totp"]);
    expect(saved.filter((f) => f.isDefault)).toHaveLength(1);
    expect([a, b].filter((r) => r.ok && r.recoveryCodes)).toHaveLength(1);
    expect(await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.userId))).toHaveLength(10);
    expect(await auditEventsOf(user.userId, "two_factor.enabled")).toHaveLength(1);
  });

  // On PostgreSQL this once deadlocked: verifyOtp's second UPDATE of an otp_codes row takes
  // KEY SHARE on the user's row, which conflicted with addFactor's FOR UPDATE. lockUser now
  // takes FOR NO KEY UPDATE, which serialises enrollments without that conflict.
  it("email and SMS enrollments finishing at once both succeed, leaving one default", async () => {
    for (let i = 0; i < 10; i++) {
      const { user, who } = await person();
      await beginEmail(who, meta);
      await beginSms(who, PHONE, { ...meta, ip: `192.0.2.${i}` });
      const [emailCode, smsCode] = [await lastCodeTo(user.email), await lastCodeTo(PHONE)];
      const results = await Promise.all([finishSms(who, { phone: PHONE, code: smsCode }, meta), finishEmail(who, emailCode, meta)]);
      expect(results.every((r) => r.ok)).toBe(true);
      expect((await listFactors(user.userId)).filter((f) => f.isDefault)).toHaveLength(1);
      expect(await countRecoveryCodes(user.userId)).toBe(10);
      await endCodeCooldowns();
      await db().delete(rateLimits).where(like(rateLimits.key, "otp:dest:%")); // 10 codes to one number in an hour
    }
  });
});
