import { describe, expect, it } from "vitest";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { CHALLENGE_MAX_FAILURES, verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { addTotpFactor, auditEventsOf, createUser, meta, PASSWORD, totpCode } from "@/tests/helpers";

/** What the audit log must say about each sign-in: how it was passed or failed. */
describe("sign-in events record the method", () => {
  it("a wrong password: method password", async () => {
    const user = await createUser();
    expect((await passwordStep({ email: user.email, password: "wrong password entirely" }, meta)).ok).toBe(false);
    expect((await auditEventsOf(user.userId, "sign_in.password_failed")).map((e) => e.data)).toEqual([{ method: "password" }]);
  });

  it("no second factor: signed in with the password", async () => {
    const user = await createUser();
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
    expect((await auditEventsOf(user.userId, "sign_in.succeeded")).at(-1)!.data).toEqual({ method: "password" });
  });

  it("an authenticator app: failures and the success name it; a remembered device names itself", async () => {
    const user = await createUser();
    const { secret } = await addTotpFactor(user.userId);
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    const right = await totpCode(secret);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, "0");
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: wrong }, { remember: false }, meta)).ok).toBe(false);
    const passed = await verifyChallenge(step.challengeToken, { method: "totp", code: right }, { remember: true }, meta);
    if (!passed.ok) throw new Error(passed.message);
    await exchangeChallenge(step.challengeToken, meta);
    expect((await auditEventsOf(user.userId, "sign_in.factor_failed")).map((e) => e.data)).toEqual([{ method: "totp" }]);
    expect((await auditEventsOf(user.userId, "sign_in.succeeded")).at(-1)!.data).toEqual({ method: "totp" });

    const again = await passwordStep({ email: user.email, password: PASSWORD }, meta, passed.trustedDeviceToken);
    if (!again.ok) throw new Error(again.message);
    await exchangeChallenge(again.challengeToken, meta);
    expect((await auditEventsOf(user.userId, "sign_in.succeeded")).at(-1)!.data).toEqual({ method: "trusted_device" });
  });

  it("a challenge failed out: the lock names the method that failed", async () => {
    const user = await createUser();
    await addTotpFactor(user.userId);
    const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
    if (!step.ok) throw new Error(step.message);
    for (let i = 0; i < CHALLENGE_MAX_FAILURES; i++) await verifyChallenge(step.challengeToken, { method: "recovery_code", code: "AAAA-BBBB" }, { remember: false }, meta);
    expect((await auditEventsOf(user.userId, "sign_in.challenge_locked")).map((e) => e.data)).toEqual([{ method: "recovery_code" }]);
  });
});
