import { eq, like } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { rateLimits, recoveryCodes } from "@/lib/db/schema";
import { auditEventsOf, endCodeCooldowns, enrollingUser, lastCodeTo, meta, PHONE, totpCode } from "@/tests/helpers";
import { listFactors } from ".";
import { beginEmail, beginSms, finishEmail, finishSms } from "./codes/enroll";
import { beginTotp, finishTotp } from "./totp/enroll";
import { countRecoveryCodes } from "./recovery/recovery-codes";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("concurrent enrollments", () => {
  it("two first factors finishing at once leave exactly one default and one set of recovery codes", async () => {
    const { user, who } = await enrollingUser();
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
      const { user, who } = await enrollingUser();
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
