import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { rateLimits } from "@/lib/db/schema";
import { issueOtp } from "@/lib/factors/codes/otp";
import { log } from "@/lib/log";
import { footprint, keyedTeam, post } from "@/tests/verify-api-client";
import { createUser, meta, PHONE } from "@/tests/helpers";
import { unconfiguredChannels, warnUnconfiguredChannels } from "./choose-provider";

const CREATE = "/api/v1/verifications";
const PROVIDER_VARIABLES = ["RESEND_API_KEY", "EMAIL_FROM", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"];

/** `npm start` with no provider variables and no TESSERA_DEV_OUTBOX: a server whose outbox nobody can read. */
function productionWithoutProviders(extra: Record<string, string> = {}) {
  vi.stubEnv("NODE_ENV", "production");
  vi.stubEnv("TESSERA_DEV_OUTBOX", "");
  for (const name of PROVIDER_VARIABLES) vi.stubEnv(name, "");
  for (const [name, value] of Object.entries(extra)) vi.stubEnv(name, value);
}

/** The limits a send counts (not the per-key request rate or sign-up limits, which a request counts whatever it asks). */
async function sendLimitsCounted(): Promise<string[]> {
  const rows = await db().select({ key: rateLimits.key }).from(rateLimits);
  return rows.map((row) => row.key).filter((key) => !/^(api:|signup:)/.test(key));
}

beforeEach(() => {
  // Production logs are JSON lines on stderr; these tests read them through the spy.
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the Verify API on a production server with no provider", () => {
  it("answers 503 channel_not_configured for SMS, voice and email, and sends, stores, spends and counts nothing", async () => {
    productionWithoutProviders();
    const team = await keyedTeam();
    const before = await footprint(team.teamId);
    for (const body of [{ to: PHONE, channel: "sms" }, { to: PHONE, channel: "voice" }, { to: "someone@example.com", channel: "email" }]) {
      const response = await post(CREATE, body, team.key);
      expect(response.status, body.channel).toBe(503);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("channel_not_configured");
      expect(error.message).toMatch(/nothing was sent or charged/);
      expect(response.headers.get("retry-after")).toBeNull();
    }
    expect(await footprint(team.teamId)).toEqual(before);
    expect(before.balance).toBe(50);
    expect(await sendLimitsCounted()).toEqual([]);
  });

  it("sends as before where the outbox has a reader (TESSERA_DEV_OUTBOX=1, the e2e suite) or the channel a provider", async () => {
    productionWithoutProviders({ TESSERA_DEV_OUTBOX: "1" });
    const team = await keyedTeam();
    expect((await post(CREATE, { to: PHONE, channel: "sms" }, team.key)).status).toBe(201);

    // Email has a provider (its server is not reached: the send fails as a delivery, not as unconfigured).
    productionWithoutProviders({ RESEND_API_KEY: "re_test", EMAIL_FROM: "Tessera <codes@example.com>", RESEND_BASE_URL: "http://127.0.0.1:9" });
    expect(unconfiguredChannels().map((c) => c.channels)).toEqual([["sms", "voice"]]);
    expect((await post(CREATE, { to: PHONE, channel: "sms" }, team.key)).status).toBe(503);
    expect((await post(CREATE, { to: "someone@example.com", channel: "email" }, team.key)).status).not.toBe(503);
  });
});

describe("a member's own code on a production server with no provider", () => {
  it("is refused calmly, pointing at the other methods, with no credit spent and no limit counted", async () => {
    const user = await createUser();
    productionWithoutProviders();
    const before = await footprint(user.teamId);
    const result = await issueOtp({ userId: user.userId, purpose: "enroll", channel: "sms", destination: PHONE }, meta);
    expect(result).toEqual({
      ok: false,
      code: "NOT_CONFIGURED",
      message: "This service can't send text messages or calls yet: its operator hasn't connected a provider. Use another method.",
    });
    const email = await issueOtp({ userId: user.userId, purpose: "step_up", channel: "email", destination: user.email }, meta);
    expect(email).toMatchObject({ ok: false, code: "NOT_CONFIGURED", message: "This service can't send email yet: its operator hasn't connected a provider. Use another method." });
    expect(await footprint(user.teamId)).toEqual(before);
    expect(await sendLimitsCounted()).toEqual([]);
  });
});

describe("the warning at start", () => {
  it("names each channel that cannot send and the variables that would make it", () => {
    productionWithoutProviders();
    const warn = vi.spyOn(log, "warn");
    warnUnconfiguredChannels();
    expect(warn.mock.calls).toEqual([
      ["messaging.not_configured", { channels: "email", set: "RESEND_API_KEY, EMAIL_FROM" }],
      ["messaging.not_configured", { channels: "sms, voice", set: "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER" }],
    ]);
  });

  it("is silent in development, and where the outbox has a reader", () => {
    const warn = vi.spyOn(log, "warn");
    productionWithoutProviders({ NODE_ENV: "development" });
    warnUnconfiguredChannels();
    productionWithoutProviders({ TESSERA_DEV_OUTBOX: "1" });
    warnUnconfiguredChannels();
    expect(warn).not.toHaveBeenCalled();
  });
});
