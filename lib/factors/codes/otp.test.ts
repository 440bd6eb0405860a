import { asc, desc, eq, like, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { creditLedger, memberships, otpCodes, outbox, rateLimits, signInChallenges, teams } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { addCredits, CREDIT_MESSAGES, creditBalance } from "@/lib/teams/credits";
import { addSmsFactor, createUser, meta } from "@/tests/helpers";
import { beginSms } from "./enroll";
import { emailCodeMessage, smsCodeMessage, voiceCodeMessage } from "./messages";
import {
  CODE_TTL_SECONDS,
  generateCode,
  issueOtp,
  MAX_ATTEMPTS,
  OTP_ERRORS,
  RESEND_COOLDOWN_SECONDS,
  SENDS_PER_DESTINATION_PER_HOUR,
  verifyOtp,
  type IssueOtpInput,
} from "./otp";
import { sendFactorCode } from "./send-code";
import { captureLog } from "@/tests/log-spy";

// The real outbox sends, wrapped so a test can make one send fail.
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return { ...actual, send: vi.fn(actual.send) };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const PHONE = "+14155552671";
const INVALID = OTP_ERRORS.INVALID_CODE();

/** The code in the newest message to `to`, read the way a person would. */
async function lastCode(to: string): Promise<string> {
  const [message] = await db().select().from(outbox).where(eq(outbox.to, to)).orderBy(desc(outbox.seq)).limit(1);
  const code = message?.text.match(/code is:? (\d{6}|(?:\d\. ){5}\d\.)/)?.[1]?.replace(/\D/g, "");
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

async function messagesTo(to: string) {
  return db().select().from(outbox).where(eq(outbox.to, to)).orderBy(outbox.seq);
}

/** Lets the resend cooldown pass without waiting 30 seconds. */
async function endCooldowns() {
  await db()
    .update(rateLimits)
    .set({ resetAt: sql`now() - interval '1 second'` })
    .where(like(rateLimits.key, "otp:cooldown:%"));
}

async function emailCode(purpose: IssueOtpInput["purpose"] = "step_up") {
  const user = await createUser();
  const input = { userId: user.userId, purpose, channel: "email", destination: user.email } as const;
  const issued = await issueOtp(input, meta);
  expect(issued.ok).toBe(true);
  return { user, input, code: await lastCode(user.email) };
}

/** An open sign-in challenge: only its id matters to codes. */
async function newChallenge(userId: string): Promise<string> {
  const [row] = await db()
    .insert(signInChallenges)
    .values({ userId, tokenHash: hashToken(randomToken()), expiresAt: sql`now() + interval '10 minutes'` })
    .returning({ id: signInChallenges.id });
  return row!.id;
}

describe("generateCode", () => {
  it("makes six CSPRNG digits, leading zeros kept", () => {
    const codes = Array.from({ length: 3000 }, generateCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    // With 3000 draws, missing a leading zero or repeating often would mean a broken generator.
    expect(codes.some((code) => code.startsWith("0"))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(2950);
  });
});

describe("issueOtp", () => {
  it("sends the code and stores only its HMAC, for 10 minutes", async () => {
    const user = await createUser();
    const issued = await issueOtp({ userId: user.userId, purpose: "enroll", channel: "email", destination: user.email }, meta);
    if (!issued.ok) throw new Error(issued.message);
    const code = await lastCode(user.email);

    const rows = await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).not.toBe(code);
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(JSON.stringify(issued)).not.toContain(code);
    expect(rows[0]).toMatchObject({ channel: "email", destination: user.email, purpose: "enroll", attempts: 0, consumedAt: null });

    const ttl = (issued.expiresAt.getTime() - rows[0]!.createdAt.getTime()) / 1000;
    expect(ttl).toBeCloseTo(CODE_TTL_SECONDS, 0);
    expect((issued.resendAt.getTime() - rows[0]!.createdAt.getTime()) / 1000).toBeCloseTo(RESEND_COOLDOWN_SECONDS, 0);
    expect(await verifyOtp({ userId: user.userId, purpose: "enroll", code })).toEqual({ ok: true, destination: user.email, channel: "email" });
  });

  it("sends email, SMS and voice messages that carry the code", async () => {
    const user = await createUser();
    const challengeId = await newChallenge(user.userId);
    await issueOtp({ userId: user.userId, purpose: "step_up", channel: "email", destination: user.email }, meta);
    await issueOtp({ userId: user.userId, purpose: "sign_in", channel: "sms", destination: PHONE, challengeId }, meta);
    const [email] = await messagesTo(user.email).then((rows) => rows.filter((m) => m.subject !== "Welcome to Tessera"));
    const emailed = await lastCode(user.email);
    expect(email!.subject).not.toContain(emailed);
    expect(email!.text).toContain(`Your Tessera code is ${emailed}. It expires in 10 minutes.`);

    const texted = await lastCode(PHONE);
    const [sms] = await messagesTo(PHONE);
    expect(sms).toMatchObject({ channel: "sms", subject: null });
    expect(sms!.text).toContain(`Your Tessera code is ${texted}.`);

    await endCooldowns();
    await issueOtp({ userId: user.userId, purpose: "sign_in", channel: "voice", destination: PHONE, challengeId }, meta);
    const spoken = await lastCode(PHONE);
    const [, voice] = await messagesTo(PHONE);
    const digits = [...spoken].map((d) => `${d}.`).join(" ");
    expect(voice).toMatchObject({ channel: "voice", text: `Your Tessera code is: ${digits}\nAgain: ${digits}` });
  });

  it("refuses a resend within 30 seconds, and says when to retry", async () => {
    const { user, input } = await emailCode();
    const again = await issueOtp(input, meta);
    expect(again).toMatchObject({ ok: false, code: "COOLDOWN" });
    if (again.ok) return;
    expect(again.retryAfterSeconds).toBeGreaterThan(0);
    expect(again.retryAfterSeconds).toBeLessThanOrEqual(RESEND_COOLDOWN_SECONDS);
    expect(again.message).toMatch(/another in \d+ seconds?\./);
    expect((await messagesTo(user.email)).filter((m) => m.subject !== "Welcome to Tessera")).toHaveLength(1);

    await endCooldowns();
    expect((await issueOtp(input, meta)).ok).toBe(true);
  });

  it("keeps the cooldown per challenge: a voice call right after the SMS of one sign-in waits", async () => {
    const user = await createUser();
    const challengeId = await newChallenge(user.userId);
    const sms = { userId: user.userId, purpose: "sign_in", channel: "sms", destination: PHONE, challengeId } as const;
    expect((await issueOtp(sms, meta)).ok).toBe(true);
    expect(await issueOtp({ ...sms, channel: "voice" }, meta)).toMatchObject({ ok: false, code: "COOLDOWN" });
    // Another sign-in of the same person is another challenge.
    expect((await issueOtp({ ...sms, challengeId: await newChallenge(user.userId) }, meta)).ok).toBe(true);
  });

  it("sends at most 5 codes an hour to one destination, whoever asks", async () => {
    const first = await createUser();
    const input = { userId: first.userId, purpose: "enroll", channel: "sms", destination: PHONE } as const;
    for (let i = 0; i < SENDS_PER_DESTINATION_PER_HOUR; i++) {
      expect((await issueOtp(input, meta)).ok).toBe(true);
      await endCooldowns();
    }
    const sixth = await issueOtp(input, meta);
    expect(sixth).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    if (!sixth.ok) expect(sixth.retryAfterSeconds).toBeGreaterThan(3500);

    const second = await createUser();
    expect(await issueOtp({ ...input, userId: second.userId }, meta)).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(await messagesTo(PHONE)).toHaveLength(SENDS_PER_DESTINATION_PER_HOUR);
    expect((await issueOtp({ ...input, destination: "+447400123456" }, meta)).ok).toBe(true);
  });

  it("a provider outage counts toward no limit: five failed sends, the provider is back, the next one goes out", async () => {
    const user = await createUser();
    captureLog();
    for (const [channel, destination] of [["sms", PHONE], ["email", user.email]] as const) {
      const input = { userId: user.userId, purpose: "enroll", channel, destination } as const;
      for (let i = 0; i < SENDS_PER_DESTINATION_PER_HOUR; i++) {
        vi.mocked(send).mockRejectedValueOnce(new Error("HTTP 500"));
        expect(await issueOtp(input, meta)).toMatchObject({ ok: false, code: "SEND_FAILED" });
        await endCooldowns();
      }
      expect(await issueOtp(input, meta)).toMatchObject({ ok: true });
    }
    // What was counted is what went out: one each.
    const counters = await db().select().from(rateLimits).where(like(rateLimits.key, "otp:dest:%"));
    expect(counters.map((row) => row.count)).toEqual([1, 1]);
  });

  it("kills the previous code when a new one is sent", async () => {
    const { user, input, code: old } = await emailCode();
    await endCooldowns();
    await issueOtp(input, meta);
    const fresh = await lastCode(user.email);
    const rows = await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId)).orderBy(otpCodes.createdAt);
    expect(rows.map((r) => r.consumedAt !== null)).toEqual([true, false]);
    if (old !== fresh) expect(await verifyOtp({ ...input, code: old })).toMatchObject({ ok: false, code: "INVALID_CODE" });
    expect((await verifyOtp({ ...input, code: fresh })).ok).toBe(true);
  });

  it("leaves no usable code when sending fails, and never logs the code", async () => {
    const user = await createUser();
    const input = { userId: user.userId, purpose: "enroll", channel: "sms", destination: PHONE } as const;
    let sent = "";
    vi.mocked(send).mockImplementationOnce(async (message) => {
      sent = message.text.match(/\d{6}/)![0];
      throw new Error(`provider rejected: ${message.text}`);
    });
    const logged = captureLog();

    const result = await issueOtp(input, meta);
    expect(result).toMatchObject({ ok: false, code: "SEND_FAILED", message: OTP_ERRORS.SEND_FAILED() });
    expect(logged.text()).toContain("otp.send_failed");
    expect(logged.text()).not.toContain(sent);
    expect(await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId))).toHaveLength(0);
    expect(await verifyOtp({ ...input, code: sent })).toMatchObject({ ok: false, code: "NO_CODE" });
  });

  it("keeps the code already sent working when a resend fails", async () => {
    const { input, code } = await emailCode();
    await endCooldowns();
    vi.mocked(send).mockRejectedValueOnce(new Error("timeout"));
    captureLog();
    expect(await issueOtp(input, meta)).toMatchObject({ ok: false, code: "SEND_FAILED" });
    expect((await verifyOtp({ ...input, code })).ok).toBe(true);
  });

  it("refuses a phone channel without an E.164 number", async () => {
    const user = await createUser();
    await expect(issueOtp({ userId: user.userId, purpose: "enroll", channel: "sms", destination: "415 555 2671" }, meta)).rejects.toThrow(/E\.164/);
  });
});

describe("verifyOtp", () => {
  it("accepts the right code once, typed with spaces or a dash", async () => {
    const { user, input, code } = await emailCode();
    const typed = `${code.slice(0, 3)} - ${code.slice(3)}`;
    expect(await verifyOtp({ ...input, code: typed })).toEqual({ ok: true, destination: user.email, channel: "email" });
    expect(await verifyOtp({ ...input, code })).toEqual({ ok: false, code: "INVALID_CODE", message: INVALID });
  });

  it("allows 5 tries; after 5 wrong ones even the right code fails", async () => {
    const { input, code } = await emailCode();
    const wrong = code === "000000" ? "111111" : "000000";
    const left = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const result = await verifyOtp({ ...input, code: wrong });
      expect(result).toMatchObject({ ok: false, code: "INVALID_CODE", message: INVALID });
      if (!result.ok) left.push(result.attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(await verifyOtp({ ...input, code })).toEqual({ ok: false, code: "INVALID_CODE", message: INVALID });
  });

  it("accepts the right code on the fifth try", async () => {
    const { input, code } = await emailCode();
    for (const typed of ["abcdef", "", "12345", "1234567"]) {
      expect(await verifyOtp({ ...input, code: typed })).toMatchObject({ ok: false, code: "INVALID_CODE" });
    }
    expect((await verifyOtp({ ...input, code })).ok).toBe(true);
  });

  it("refuses an expired code without counting a try", async () => {
    const { user, input, code } = await emailCode();
    await db()
      .update(otpCodes)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(otpCodes.userId, user.userId));
    expect(await verifyOtp({ ...input, code })).toEqual({ ok: false, code: "INVALID_CODE", message: INVALID });
    const [row] = await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId));
    expect(row).toMatchObject({ attempts: 0, consumedAt: null });
  });

  it("gives wrong, expired, used and locked codes the same message", async () => {
    const messages = new Set<string>();
    const record = (result: Awaited<ReturnType<typeof verifyOtp>>) => {
      expect(result.ok).toBe(false);
      if (!result.ok) messages.add(result.message);
    };

    const wrong = await emailCode();
    record(await verifyOtp({ ...wrong.input, code: wrong.code === "123456" ? "654321" : "123456" }));

    const expired = await emailCode();
    await db().update(otpCodes).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(otpCodes.userId, expired.user.userId));
    record(await verifyOtp({ ...expired.input, code: expired.code }));

    const used = await emailCode();
    await verifyOtp({ ...used.input, code: used.code });
    record(await verifyOtp({ ...used.input, code: used.code }));

    const locked = await emailCode();
    await db().update(otpCodes).set({ attempts: MAX_ATTEMPTS }).where(eq(otpCodes.userId, locked.user.userId));
    record(await verifyOtp({ ...locked.input, code: locked.code }));

    expect([...messages]).toEqual([INVALID]);
  });

  it("lets exactly one of 20 concurrent requests with the right code through", async () => {
    const { user, input, code } = await emailCode();
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyOtp({ ...input, code })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.message === INVALID)).toBe(true);
    const [row] = await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId));
    expect(row!.consumedAt).not.toBeNull();
    expect(row!.attempts).toBeLessThanOrEqual(MAX_ATTEMPTS);
  });

  it("keeps codes to their challenge, purpose and destination", async () => {
    const user = await createUser();
    const challengeId = await newChallenge(user.userId);
    const otherChallenge = await newChallenge(user.userId);
    await issueOtp({ userId: user.userId, purpose: "sign_in", channel: "sms", destination: PHONE, challengeId }, meta);
    const code = await lastCode(PHONE);
    const base = { userId: user.userId, code };

    expect(await verifyOtp({ ...base, purpose: "sign_in", challengeId: otherChallenge })).toMatchObject({ code: "NO_CODE" });
    expect(await verifyOtp({ ...base, purpose: "sign_in" })).toMatchObject({ code: "NO_CODE" });
    expect(await verifyOtp({ ...base, purpose: "step_up", challengeId })).toMatchObject({ code: "NO_CODE" });
    expect(await verifyOtp({ ...base, purpose: "sign_in", challengeId, destination: "+442079460958" })).toMatchObject({ code: "NO_CODE" });
    const other = await createUser();
    expect(await verifyOtp({ ...base, userId: other.userId, purpose: "sign_in", challengeId })).toMatchObject({ code: "NO_CODE" });

    const [row] = await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId));
    expect(row!.attempts).toBe(0);
    expect(await verifyOtp({ ...base, purpose: "sign_in", challengeId })).toEqual({ ok: true, destination: PHONE, channel: "sms" });
  });

  it("says when there is no code to check", async () => {
    const user = await createUser();
    expect(await verifyOtp({ userId: user.userId, purpose: "step_up", code: "123456" })).toEqual({
      ok: false,
      code: "NO_CODE",
      message: OTP_ERRORS.NO_CODE(),
    });
  });

  it("counts tries inside the caller's transaction", async () => {
    const { input, code } = await emailCode();
    const result = await db().transaction((tx) => verifyOtp({ ...input, code }, tx));
    expect(result.ok).toBe(true);
  });
});

describe("code messages", () => {
  const input = { code: "042917", purpose: "sign_in", minutes: 10 } as const;

  it("emails the code with its lifetime and a warning, not in the subject", () => {
    const { subject, text } = emailCodeMessage(input);
    expect(subject).toBe("Your Tessera sign-in code");
    expect(text).toContain("Your Tessera code is 042917. It expires in 10 minutes.");
    expect(text).toMatch(/never share/i);
  });

  it("texts the code briefly, ending with the origin-bound line", () => {
    const { text, subject } = smsCodeMessage(input);
    expect(subject).toBeUndefined();
    expect(text).toContain("Tessera");
    expect(text).toContain("042917");
    expect(text).toContain("Don't share it");
    expect(text.split("\n").at(-1)).toBe(`@${config.appUrl.hostname} #042917`);
    expect(text.length).toBeLessThanOrEqual(160);
  });

  it("speaks each digit, twice", () => {
    expect(voiceCodeMessage(input).text).toBe("Your Tessera code is: 0. 4. 2. 9. 1. 7.\nAgain: 0. 4. 2. 9. 1. 7.");
  });
});

describe("SMS credits", () => {
  const setBalance = (teamId: string, balance: number) => db().update(teams).set({ creditBalance: balance }).where(eq(teams.id, teamId));
  const ledgerOf = (teamId: string) => db().select().from(creditLedger).where(eq(creditLedger.teamId, teamId)).orderBy(asc(creditLedger.seq));
  const phoneMessages = () => db().select().from(outbox).where(sql`${outbox.channel} <> 'email'`).orderBy(outbox.seq);

  it("an SMS and a voice call cost the paying team one credit each, with the message's id; email costs none", async () => {
    const user = await createUser();
    const challengeId = await newChallenge(user.userId);
    const sms = { userId: user.userId, purpose: "sign_in", channel: "sms", destination: PHONE, challengeId } as const;
    expect((await issueOtp(sms, meta)).ok).toBe(true);
    await endCooldowns();
    expect((await issueOtp({ ...sms, channel: "voice" }, meta)).ok).toBe(true);
    await endCooldowns();
    expect((await issueOtp({ ...sms, channel: "email", destination: user.email }, meta)).ok).toBe(true);

    const [text, call] = await phoneMessages();
    expect(await creditBalance(user.teamId)).toBe(48);
    expect(await ledgerOf(user.teamId)).toMatchObject([
      { delta: -1, reason: "sms", messageId: text!.id, balanceAfter: 49 },
      { delta: -1, reason: "voice", messageId: call!.id, balanceAfter: 48 },
    ]);
  });

  it("at 0 credits refuses SMS and voice: nothing sent, stored or debited, and no limit counts it", async () => {
    const user = await createUser();
    await setBalance(user.teamId, 0);
    const input = { userId: user.userId, purpose: "enroll", channel: "sms", destination: PHONE } as const;
    // More tries than the cooldown and the per-number cap would allow, had they been counted.
    for (let i = 0; i <= SENDS_PER_DESTINATION_PER_HOUR; i++) {
      const channel = i % 2 ? "voice" : "sms";
      expect(await issueOtp({ ...input, channel }, meta)).toEqual({ ok: false, code: "NO_CREDITS", message: CREDIT_MESSAGES.NO_CREDITS });
    }
    expect(await phoneMessages()).toHaveLength(0);
    expect(await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId))).toHaveLength(0);
    expect(await ledgerOf(user.teamId)).toHaveLength(0);
    expect(await db().select().from(rateLimits).where(like(rateLimits.key, "otp:%"))).toHaveLength(0);

    // Email keeps working, and the moment an owner adds credits the phone does too.
    expect((await issueOtp({ ...input, channel: "email", destination: user.email }, meta)).ok).toBe(true);
    expect(await addCredits(user.teamId, { id: user.userId }, 1, meta)).toMatchObject({ ok: true, balance: 1 });
    expect((await issueOtp(input, meta)).ok).toBe(true);
    expect(await creditBalance(user.teamId)).toBe(0);
  });

  it("a failed provider call debits nothing and leaves no code", async () => {
    const user = await createUser();
    await setBalance(user.teamId, 3);
    vi.mocked(send).mockRejectedValueOnce(new Error("provider timeout"));
    captureLog();
    const input = { userId: user.userId, purpose: "enroll", channel: "sms", destination: PHONE } as const;
    expect(await issueOtp(input, meta)).toMatchObject({ ok: false, code: "SEND_FAILED" });
    expect(await creditBalance(user.teamId)).toBe(3);
    expect(await ledgerOf(user.teamId)).toHaveLength(0);
    expect(await db().select().from(otpCodes).where(eq(otpCodes.userId, user.userId))).toHaveLength(0);

    await endCooldowns();
    expect((await issueOtp(input, meta)).ok).toBe(true);
    expect(await ledgerOf(user.teamId)).toMatchObject([{ delta: -1, balanceAfter: 2 }]);
  });

  it("20 members of one paying team ask for sign-in texts at once with 10 credits left: exactly 10 go out", async () => {
    const owner = await createUser();
    await db().update(teams).set({ requireTwoFactor: true, creditBalance: 10 }).where(eq(teams.id, owner.teamId));
    const members = await Promise.all(Array.from({ length: 20 }, () => createUser()));
    await db().insert(memberships).values(members.map((m) => ({ teamId: owner.teamId, userId: m.userId, role: "member" as const })));
    const requests = await Promise.all(
      members.map(async (m, i) => ({ userId: m.userId, purpose: "sign_in" as const, channel: "sms" as const, destination: `+1415555${3000 + i}`, challengeId: await newChallenge(m.userId) })),
    );

    const results = await Promise.all(requests.map((input) => issueOtp(input, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "NO_CREDITS")).toBe(true);

    const texts = await phoneMessages();
    expect(texts).toHaveLength(10);
    expect(await db().select().from(otpCodes)).toHaveLength(10);
    expect(await creditBalance(owner.teamId)).toBe(0);
    const ledger = await ledgerOf(owner.teamId);
    expect(ledger.map((row) => row.balanceAfter)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(new Set(ledger.map((row) => row.messageId))).toEqual(new Set(texts.map((t) => t.id)));
    // The members' personal teams paid nothing.
    for (const m of members) expect(await creditBalance(m.teamId)).toBe(50);
  });

  it("the refusal reaches the sign-in and step-up prompt and the phone enrollment as a clear message", async () => {
    const user = await createUser();
    await addSmsFactor(user.userId, PHONE);
    await setBalance(user.teamId, 0);
    const challengeId = await newChallenge(user.userId);
    expect(await sendFactorCode({ userId: user.userId, purpose: "sign_in", channel: "sms", challengeId }, meta)).toEqual({
      ok: false,
      code: "NO_CREDITS",
      message: CREDIT_MESSAGES.NO_CREDITS,
      unusable: true,
    });
    expect(await sendFactorCode({ userId: user.userId, purpose: "step_up", channel: "voice" }, meta)).toMatchObject({ ok: false, message: CREDIT_MESSAGES.NO_CREDITS });
    expect(await beginSms({ id: user.userId, email: user.email }, "+447400123456", meta)).toMatchObject({ ok: false, message: CREDIT_MESSAGES.NO_CREDITS });
    expect(CREDIT_MESSAGES.NO_CREDITS).toMatch(/use another method/i);
  });
});
