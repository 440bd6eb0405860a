import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { factors, otpCodes, outbox } from "@/lib/db/schema";
import { auditEventsOf, endCodeCooldowns, enrollingUser, FACTOR_ADDED_SUBJECT, lastCodeTo, meta, OTHER_PHONE, otherThan, outboxTo, PHONE } from "@/tests/helpers";
import { listFactors } from "..";
import { beginEmail, beginSms, finishEmail, finishSms } from "./enroll";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("email code enrollment", () => {
  it("sends a code to the account address; the right code adds the email factor", async () => {
    const { user, who } = await enrollingUser();
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
    expect(await outboxTo(user.email).then((all) => all.filter((m) => m.subject === FACTOR_ADDED_SUBJECT))).toHaveLength(1);

    // The code is used up, and email codes cannot be added twice.
    expect((await finishEmail(who, code, meta)).ok).toBe(false);
    await endCodeCooldowns();
    await beginEmail(who, meta);
    expect(await finishEmail(who, await lastCodeTo(user.email), meta)).toMatchObject({ ok: false, message: "Email codes are already on for this account." });
    expect(await listFactors(user.userId)).toHaveLength(1);
  });

  it("refuses finishing without a code sent", async () => {
    const { user, who } = await enrollingUser();
    expect((await finishEmail(who, "123456", meta)).ok).toBe(false);
    expect(await listFactors(user.userId)).toEqual([]);
  });
});

describe("SMS enrollment", () => {
  it("a bad phone number gets a field error and nothing is sent", async () => {
    const { user, who } = await enrollingUser();
    for (const bad of ["", "not a phone", "415 555 2671", "+1 555", "+999 1234567"]) {
      const result = await beginSms(who, bad, meta);
      expect(result, bad).toMatchObject({ ok: false, field: "phone", message: expect.any(String) });
    }
    expect(await db().select().from(outbox)).toHaveLength(1); // the welcome email
    expect(await db().select().from(otpCodes)).toEqual([]);
    expect(await listFactors(user.userId)).toEqual([]);
  });

  it("texts a code to the number (stored E.164); the right code adds the SMS factor", async () => {
    const { user, who } = await enrollingUser();
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
    expect((await outboxTo(user.email)).map((m) => m.subject)).toContain(FACTOR_ADDED_SUBJECT);
  });

  it("a code sent to one number does not verify another", async () => {
    const { user, who } = await enrollingUser();
    await beginSms(who, PHONE, meta);
    const code = await lastCodeTo(PHONE);
    expect((await finishSms(who, { phone: OTHER_PHONE, code }, meta)).ok).toBe(false);
    expect(await listFactors(user.userId)).toEqual([]);
  });

  it("changing the number: the old number stays until the new one is verified", async () => {
    const { user, who } = await enrollingUser();
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
