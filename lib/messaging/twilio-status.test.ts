import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/twilio/status/route";
import { db } from "@/lib/db";
import { messageDeliveries } from "@/lib/db/schema";
import { fakeTwilioEnv, startFakeProviderServer, type FakeProviderServer } from "@/tests/fake-provider-server";
import { send } from ".";
import { twilioSignature } from "./twilio-status";

const CALLBACK_URL = "https://tessera.example.com/api/webhooks/twilio/status";
const PHONE = "+14155552671";

let server: FakeProviderServer;
let env: ReturnType<typeof fakeTwilioEnv>;
beforeAll(async () => {
  server = await startFakeProviderServer();
  env = fakeTwilioEnv(server);
});
afterAll(() => server.close());

beforeEach(() => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv("NEXTAUTH_URL", "https://tessera.example.com");
});
afterEach(() => {
  vi.unstubAllEnvs();
  server.reset();
});

/** A callback as Twilio would post it, signed with `token` over the URL Tessera gave it. */
function callback(fields: Record<string, string>, token = env.TWILIO_AUTH_TOKEN, signature?: string | null) {
  const params = new URLSearchParams({ AccountSid: env.TWILIO_ACCOUNT_SID, ApiVersion: "2010-04-01", ...fields });
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  const signed = signature === undefined ? twilioSignature(token, CALLBACK_URL, params) : signature;
  if (signed !== null) headers["X-Twilio-Signature"] = signed;
  // The request reaches the app on an internal address, as behind a proxy: the signature covers the public URL.
  return POST(new Request("http://127.0.0.1:3000/api/webhooks/twilio/status", { method: "POST", headers, body: params.toString() }));
}

const delivery = async (id: string) => (await db().select().from(messageDeliveries).where(eq(messageDeliveries.id, id)))[0]!;

describe("twilioSignature", () => {
  it("matches Twilio's published example", () => {
    const params = new URLSearchParams({ CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" });
    expect(twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });
});

describe("POST /api/webhooks/twilio/status", () => {
  it("stores an SMS's later statuses, and a late earlier status does not undo a final one", async () => {
    const sent = await send({ channel: "sms", to: PHONE, text: "hello" });
    expect(new URLSearchParams(server.requests[0]!.body).get("StatusCallback")).toBe(CALLBACK_URL);

    expect((await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "delivered" })).status).toBe(204);
    expect(await delivery(sent.id)).toMatchObject({ status: "delivered", error: null });
    expect((await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "sent" })).status).toBe(204);
    expect((await delivery(sent.id)).status).toBe("delivered");
  });

  it("stores Twilio's own `sending` (dispatching to the carrier) as queued, not as Tessera's `sending` that the reconciler settles", async () => {
    const sent = await send({ channel: "sms", to: PHONE, text: "hello" });
    expect((await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "sending" })).status).toBe(204);
    expect(await delivery(sent.id)).toMatchObject({ status: "queued" });
  });

  it("stores an undelivered SMS with Twilio's error code, and a call's final status", async () => {
    const sms = await send({ channel: "sms", to: PHONE, text: "hello" });
    const call = await send({ channel: "voice", to: PHONE, text: "hello" });
    await callback({ MessageSid: sms.providerMessageId!, MessageStatus: "undelivered", ErrorCode: "30008" });
    await callback({ CallSid: call.providerMessageId!, CallStatus: "no-answer" });
    expect(await delivery(sms.id)).toMatchObject({ status: "undelivered", error: "Twilio reported error 30008 for the SMS." });
    expect(await delivery(call.id)).toMatchObject({ status: "no-answer" });
  });

  it.each([
    ["a wrong signature", "wrong-token", undefined],
    ["a missing signature", undefined, null],
    ["a signature of another length", undefined, "short"],
  ] as const)("refuses %s with 403 and changes nothing", async (_name, token, signature) => {
    const sent = await send({ channel: "sms", to: PHONE, text: "hello" });
    const response = await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "failed" }, token, signature);
    expect(response.status).toBe(403);
    expect((await delivery(sent.id)).status).toBe("queued");
  });

  it("refuses a signed body that is not a status callback of this account", async () => {
    const sent = await send({ channel: "sms", to: PHONE, text: "hello" });
    expect((await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "delivered", AccountSid: "AC99999999999999999999999999999999" })).status).toBe(400);
    expect((await callback({ MessageSid: "not-a-sid", MessageStatus: "delivered" })).status).toBe(400);
    expect((await callback({ MessageSid: sent.providerMessageId!, MessageStatus: "<b>" })).status).toBe(400);
    expect((await delivery(sent.id)).status).toBe("queued");
  });

  it("answers 404 while Twilio is not configured", async () => {
    vi.stubEnv("TWILIO_AUTH_TOKEN", undefined);
    expect((await callback({ MessageSid: `SM${"0".repeat(32)}`, MessageStatus: "delivered" })).status).toBe(404);
  });
});
