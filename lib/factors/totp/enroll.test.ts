import { generate } from "otplib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { auditEventsOf, enrollingUser, FACTOR_ADDED_SUBJECT, meta, otherThan, outboxTo, PASSWORD, totpCode } from "@/tests/helpers";
import { listFactors } from "..";
import { beginTotp, finishTotp } from "./enroll";
import { countRecoveryCodes } from "../recovery/recovery-codes";
import { openTotpSecret } from "./totp";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("authenticator app enrollment", () => {
  it("a wrong code saves nothing", async () => {
    const { user, who } = await enrollingUser();
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
    const { user, who } = await enrollingUser();
    const setup = beginTotp(who);
    const code = await totpCode(setup.secret);
    const results = await Promise.all([1, 2].map(() => finishTotp(who, { enrollment: setup.enrollment, code, label: "" }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await listFactors(user.userId)).toHaveLength(1);
  });

  it("a tampered enrollment token, or another user's, is refused", async () => {
    const { user, who } = await enrollingUser();
    const other = await enrollingUser();
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
    const { user, who } = await enrollingUser();
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
    const { user, who } = await enrollingUser();
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

    const mail = (await outboxTo(user.email)).filter((m) => m.subject === FACTOR_ADDED_SUBJECT);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("An authenticator app was added to your Tessera account.");
  });

  it("a second factor is not default and brings no new recovery codes", async () => {
    const { user, who } = await enrollingUser();
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
    const { user, who } = await enrollingUser();
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
