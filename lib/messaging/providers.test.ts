import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { creditLedger, messageDeliveries, otpCodes, outbox } from "@/lib/db/schema";
import { voiceCodeMessage } from "@/lib/factors/codes/messages";
import { issueOtp, OTP_ERRORS } from "@/lib/factors/codes/otp";
import { creditBalance } from "@/lib/teams/credits";
import { clearProviderEnv, fakeResendEnv, fakeTwilioEnv, formOf, startFakeProviderServer, stubEnv, type FakeProviderServer } from "@/tests/fake-provider-server";
import { createUser, meta } from "@/tests/helpers";
import { DeliveryError, MessagingConfigError, send } from ".";
import { captureLog } from "@/tests/log-spy";

const PHONE = "+14155552671";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: FakeProviderServer;
beforeAll(async () => {
  server = await startFakeProviderServer();
});
afterAll(() => server.close());

beforeEach(() => {
  clearProviderEnv();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  server.reset();
});

const deliveryRow = async (id: string) => (await db().select().from(messageDeliveries).where(eq(messageDeliveries.id, id)))[0];
const allDeliveries = () => db().select().from(messageDeliveries);
/** Sign-up's welcome email goes to the outbox; these are the rest. */
const twilioDeliveries = () => db().select().from(messageDeliveries).where(eq(messageDeliveries.provider, "twilio"));

/** Runs `fn`, which must reject with a DeliveryError; returns it and how long it took. */
async function failure(fn: () => Promise<unknown>): Promise<{ error: DeliveryError; ms: number }> {
  const started = performance.now();
  const error = await fn().then(
    () => {
      throw new Error("expected the send to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return { error: error as DeliveryError, ms: performance.now() - started };
}

describe("Resend (email)", () => {
  beforeEach(() => stubEnv(fakeResendEnv(server)));
  const email = { channel: "email", to: "ada@example.com", subject: "Your Tessera code", text: "Your Tessera code is 482913." } as const;

  it("posts the email as JSON with the API key, and records the delivery as sent", async () => {
    const result = await send(email);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/emails" });
    expect(request!.headers.authorization).toBe("Bearer re_fake_key_for_tests");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.headers["idempotency-key"]).toBe(`tessera-delivery-${result.id}`);
    expect(JSON.parse(request!.body)).toEqual({
      from: "Tessera <no-reply@tessera.test>",
      to: ["ada@example.com"],
      subject: "Your Tessera code",
      text: "Your Tessera code is 482913.",
    });

    expect(result).toEqual({ id: expect.stringMatching(UUID), provider: "resend", providerMessageId: expect.stringMatching(UUID) });
    expect(await deliveryRow(result.id)).toMatchObject({
      provider: "resend",
      channel: "email",
      to: "ada@example.com",
      status: "sent",
      providerMessageId: result.providerMessageId,
      error: null,
    });
    expect(await db().select().from(outbox)).toHaveLength(0);
  });

  it("a refusal is a DeliveryError with Resend's words, and the delivery row is failed", async () => {
    server.answer({ status: 422, json: { statusCode: 422, name: "validation_error", message: "Invalid `to` field. The email address needs to follow the `email@example.com` format." } });
    const logged = captureLog();

    const { error } = await failure(() => send(email));

    expect(error.message).toBe(
      "Resend refused the email (HTTP 422, validation_error): Invalid `to` field. The email address needs to follow the `email@example.com` format.",
    );
    expect(error).toMatchObject({ provider: "resend", channel: "email", providerCode: "validation_error", timedOut: false });
    expect(await deliveryRow(error.deliveryId)).toMatchObject({ status: "failed", error: error.message, providerMessageId: null });
    const log = logged.text();
    expect(log).toContain(`deliveryId=${error.deliveryId}`);
    expect(log).toContain("validation_error");
    expect(log).not.toContain("482913");
    expect(log).not.toContain("ada@example.com");
  });

  it("gives up when Resend does not answer within the timeout", async () => {
    stubEnv({ MESSAGE_TIMEOUT_MS: "300" });
    server.answer("hang");
    captureLog();

    const { error, ms } = await failure(() => send(email));

    expect(error.message).toBe("Resend did not answer within 300 ms.");
    expect(error.timedOut).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    expect(await deliveryRow(error.deliveryId)).toMatchObject({ status: "failed", error: error.message });
  });
});

describe("Twilio-compatible SMS", () => {
  beforeEach(() => stubEnv(fakeTwilioEnv(server)));
  const sms = { channel: "sms", to: PHONE, text: "Your Tessera code is 482913. It expires in 10 minutes." } as const;
  const basic = `Basic ${Buffer.from("AC00000000000000000000000000000001:fake-auth-token-for-tests").toString("base64")}`;

  it("posts To, From and Body form-encoded to Messages.json with Basic auth, and records Twilio's sid and status", async () => {
    const result = await send(sms);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json" });
    expect(request!.headers.authorization).toBe(basic);
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    expect(formOf(request!)).toEqual({ To: PHONE, From: "+15005550006", Body: sms.text });

    expect(result).toEqual({ id: expect.stringMatching(UUID), provider: "twilio", providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(await deliveryRow(result.id)).toMatchObject({ provider: "twilio", channel: "sms", to: PHONE, status: "queued", providerMessageId: result.providerMessageId });
  });

  it("asks for status callbacks when Tessera has a public https address", async () => {
    stubEnv({ NEXTAUTH_URL: "https://tessera.example.com" });
    await send(sms);
    expect(formOf(server.requests[0]!).StatusCallback).toBe("https://tessera.example.com/api/webhooks/twilio/status");
  });

  it("a refusal is a DeliveryError with Twilio's code and message, the number masked", async () => {
    server.answer({
      status: 400,
      json: { code: 21211, message: `The 'To' number ${PHONE} is not a valid phone number.`, more_info: "https://www.twilio.com/docs/errors/21211", status: 400 },
    });
    const logged = captureLog();

    const { error } = await failure(() => send(sms));

    expect(error.message).toBe("Twilio refused the SMS (HTTP 400, error 21211): The 'To' number +1415•••••71 is not a valid phone number.");
    expect(error).toMatchObject({ provider: "twilio", channel: "sms", providerCode: "21211" });
    expect(await deliveryRow(error.deliveryId)).toMatchObject({ status: "failed", error: error.message, providerMessageId: null });
    const log = logged.text();
    expect(log).toContain("messaging.send_failed provider=twilio channel=sms to=+1415•••••71");
    expect(log).toContain(`deliveryId=${error.deliveryId} providerCode=21211`);
    expect(log).not.toContain(PHONE);
    expect(log).not.toContain("482913");
  });

  it("an error answer that is not JSON still says what happened", async () => {
    server.answer({ status: 502, body: "<html>Bad Gateway</html>", contentType: "text/html" });
    captureLog();
    const { error } = await failure(() => send(sms));
    expect(error.message).toBe("Twilio refused the SMS (HTTP 502): Bad Gateway");
  });

  it("a provider that echoes the message back does not get the code into the error", async () => {
    server.answer({ status: 400, json: { code: 30003, message: `Could not deliver "${sms.text}"` } });
    captureLog();
    const { error } = await failure(() => send(sms));
    expect(error.message).toBe('Twilio refused the SMS (HTTP 400, error 30003): Could not deliver "[redacted]"');
  });

  it("a success answer without a sid is a failure", async () => {
    server.answer({ status: 201, json: { status: "queued" } });
    captureLog();
    const { error } = await failure(() => send(sms));
    expect(error.message).toBe("Twilio answered the SMS request (HTTP 201) without a message sid, so it may not have been accepted.");
  });

  it("gives up when Twilio does not answer within the timeout, after one attempt", async () => {
    stubEnv({ MESSAGE_TIMEOUT_MS: "300" });
    server.answer("hang");
    captureLog();

    const { error, ms } = await failure(() => send(sms));

    expect(error.message).toBe("Twilio did not answer the SMS request within 300 ms.");
    expect(error.timedOut).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
    expect(await deliveryRow(error.deliveryId)).toMatchObject({ status: "failed", error: error.message });
  });

  it("a server that is not there is a failure that names the cause", async () => {
    const gone = await startFakeProviderServer();
    await gone.close();
    stubEnv({ TWILIO_API_BASE_URL: gone.url });
    captureLog();
    const { error } = await failure(() => send(sms));
    expect(error.message).toBe("Twilio could not be reached for the SMS (ECONNREFUSED).");
  });
});

describe("Twilio-compatible voice", () => {
  beforeEach(() => stubEnv(fakeTwilioEnv(server)));

  it("posts To, From and the TwiML to Calls.json, speaking in the message's language", async () => {
    const { text } = voiceCodeMessage({ code: "482913", purpose: "sign_in", minutes: 10 });
    const result = await send({ channel: "voice", to: PHONE, text, locale: "es" });

    const [request] = server.requests;
    expect(request).toMatchObject({ method: "POST", path: "/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json" });
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    expect(formOf(request!)).toEqual({
      To: PHONE,
      From: "+15005550006",
      Twiml: '<Response><Pause length="1"/><Say language="es-ES">Your Tessera code is: 4. 8. 2. 9. 1. 3.</Say><Pause length="1"/><Say language="es-ES">Again: 4. 8. 2. 9. 1. 3.</Say></Response>',
    });
    expect(result.providerMessageId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(await deliveryRow(result.id)).toMatchObject({ channel: "voice", status: "queued", providerMessageId: result.providerMessageId });
  });

  it("says each line apart with a pause between, escapes XML, and defaults to en-US", async () => {
    await send({ channel: "voice", to: PHONE, text: "Tom & Jerry's <code> is: 1. 2. 3. 4.\nAgain: 1. 2. 3. 4." });
    expect(formOf(server.requests[0]!).Twiml).toBe(
      '<Response><Pause length="1"/><Say language="en-US">Tom &amp; Jerry&apos;s &lt;code&gt; is: 1. 2. 3. 4.</Say>' +
        '<Pause length="1"/><Say language="en-US">Again: 1. 2. 3. 4.</Say></Response>',
    );
  });

  it("a refused call is a DeliveryError whose message holds no digit of the spoken code", async () => {
    server.answer({ status: 400, json: { code: 13520, message: "Invalid TwiML: Your Tessera code is: 4. 8. 2. 9. 1. 3. (482913)" } });
    captureLog();
    const { error } = await failure(() => send({ channel: "voice", to: PHONE, text: "Your Tessera code is: 4. 8. 2. 9. 1. 3." }));
    expect(error.message).toBe("Twilio refused the call (HTTP 400, error 13520): Invalid TwiML: [redacted] ([redacted])");
    expect(await deliveryRow(error.deliveryId)).toMatchObject({ channel: "voice", status: "failed" });
  });
});

describe("choosing the provider", () => {
  it("uses the outbox when no provider is configured: the outbox row and the delivery share one id", async () => {
    const result = await send({ channel: "sms", to: PHONE, text: "hello" });
    expect(result).toEqual({ id: expect.stringMatching(UUID), provider: "outbox", providerMessageId: result.id });
    expect(await deliveryRow(result.id)).toMatchObject({ provider: "outbox", status: "delivered", providerMessageId: result.id });
    expect(await db().select().from(outbox).where(eq(outbox.id, result.id))).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });

  it("sends email through Resend and SMS through the outbox when only Resend is configured", async () => {
    stubEnv(fakeResendEnv(server));
    expect((await send({ channel: "email", to: "a@example.com", subject: "Hi", text: "Hello" })).provider).toBe("resend");
    expect((await send({ channel: "sms", to: PHONE, text: "Hello" })).provider).toBe("outbox");
  });

  it.each([
    [{ RESEND_API_KEY: "re_x" }, "email", "Email is half configured: EMAIL_FROM is not set."],
    [{ EMAIL_FROM: "no-reply@tessera.test" }, "email", "Email is half configured: RESEND_API_KEY is not set."],
    [{ TWILIO_ACCOUNT_SID: "AC1" }, "sms", "SMS and voice are half configured: TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are not set."],
    [{ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t" }, "voice", "SMS and voice are half configured: TWILIO_FROM_NUMBER is not set."],
    [{ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_FROM_NUMBER: "Tessera" }, "sms", "TWILIO_FROM_NUMBER must be a phone number in E.164 form"],
    [
      { TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_FROM_NUMBER: "+15005550006", TWILIO_API_BASE_URL: "http://api.example.com" },
      "sms",
      "TWILIO_API_BASE_URL must use https:// (plain http only to localhost)",
    ],
  ] as const)("refuses to send with half a configuration (%o), recording nothing", async (vars, channel, message) => {
    stubEnv(vars);
    captureLog();
    const sending = send({ channel, to: channel === "email" ? "a@example.com" : PHONE, subject: "Hi", text: "Hello" });
    await expect(sending).rejects.toThrow(MessagingConfigError);
    await expect(sending).rejects.toThrow(message);
    expect(await allDeliveries()).toHaveLength(0);
    expect(await db().select().from(outbox)).toHaveLength(0);
  });

  it("refuses a timeout that is not a number of milliseconds", async () => {
    stubEnv({ MESSAGE_TIMEOUT_MS: "soon" });
    captureLog();
    await expect(send({ channel: "sms", to: PHONE, text: "Hello" })).rejects.toThrow(
      'MESSAGE_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000; it is "soon".',
    );
    expect(await allDeliveries()).toHaveLength(0);
  });
});

describe("paid sends through issueOtp", () => {
  beforeEach(() => stubEnv(fakeTwilioEnv(server)));
  const smsCode = (userId: string) => issueOtp({ userId, purpose: "step_up", channel: "sms", destination: PHONE }, meta);
  const ledgerOf = (teamId: string) => db().select().from(creditLedger).where(eq(creditLedger.teamId, teamId));

  it("a sent SMS debits one credit and the ledger row names its delivery", async () => {
    const user = await createUser();
    expect(await smsCode(user.userId)).toMatchObject({ ok: true });

    const [delivery] = await twilioDeliveries();
    expect(delivery).toMatchObject({ provider: "twilio", channel: "sms", status: "queued", providerMessageId: expect.stringMatching(/^SM/) });
    expect(await creditBalance(user.teamId)).toBe(49);
    expect(await ledgerOf(user.teamId)).toMatchObject([{ delta: -1, reason: "sms", messageId: delivery!.id, balanceAfter: 49 }]);
  });

  it("a refused SMS debits nothing, leaves no ledger row and no code, and the log holds neither code nor number", async () => {
    const user = await createUser();
    server.answer({ status: 429, json: { code: 20429, message: "Too Many Requests" } });
    const logged = captureLog();

    expect(await smsCode(user.userId)).toEqual({ ok: false, code: "SEND_FAILED", message: OTP_ERRORS.SEND_FAILED(), retryAfterSeconds: 30 });

    expect(await creditBalance(user.teamId)).toBe(50);
    expect(await ledgerOf(user.teamId)).toHaveLength(0);
    expect(await db().select().from(otpCodes)).toHaveLength(0);
    expect(await twilioDeliveries()).toMatchObject([{ status: "failed", error: "Twilio refused the SMS (HTTP 429, error 20429): Too Many Requests" }]);
    const code = formOf(server.requests[0]!).Body!.match(/\d{6}/)![0];
    const log = logged.text();
    expect(log).toContain("20429");
    expect(log).not.toContain(code);
    expect(log).not.toContain(PHONE);
  });

  it("a call nobody answers in time debits nothing", async () => {
    stubEnv({ MESSAGE_TIMEOUT_MS: "300" });
    const user = await createUser();
    server.answer("hang");
    captureLog();

    const started = performance.now();
    const result = await issueOtp({ userId: user.userId, purpose: "step_up", channel: "voice", destination: PHONE }, meta);
    const ms = performance.now() - started;

    expect(result).toMatchObject({ ok: false, code: "SEND_FAILED" });
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(3000);
    expect(await creditBalance(user.teamId)).toBe(50);
    expect(await ledgerOf(user.teamId)).toHaveLength(0);
    expect(await twilioDeliveries()).toMatchObject([{ channel: "voice", status: "failed", error: "Twilio did not answer the call request within 300 ms." }]);
  });
});
