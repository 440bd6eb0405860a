import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { vi } from "vitest";

/** One request as the fake provider received it. */
export type RecordedRequest = {
  method: string;
  /** Path and query, e.g. `/2010-04-01/Accounts/AC…/Messages.json`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
};

/** What the fake answers: a status with a JSON (or raw) body, or nothing at all, ever. */
export type FakeReply = { status: number; json?: unknown; body?: string; contentType?: string } | "hang";

/**
 * A Twilio Message or Call resource, or a Resend email, as the fake keeps it: the fields the
 * real APIs answer with. Tests change `status`/`last_event` (what became of the message) and
 * the dates (to move the provider's clock along with the database's).
 */
export type FakeResource = Record<string, string | number | string[] | null>;

export type FakeProviderServer = {
  /** `http://127.0.0.1:<port>`: use as TWILIO_API_BASE_URL or RESEND_BASE_URL. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Every message, call and email accepted, by its sid or id: what the GET endpoints answer from. */
  resources: Map<string, FakeResource>;
  /** Answer every following request this way (until `reset`), instead of the provider's success. */
  answer(reply: FakeReply | ((request: RecordedRequest) => FakeReply | Promise<FakeReply>)): void;
  /** What the provider itself would answer `request` (accepting a message stores it): for an `answer` that only adds a side effect. */
  succeed(request: RecordedRequest): FakeReply;
  /** Back to success answers; forgets the recorded requests and resources. */
  reset(): void;
  close(): Promise<void>;
};

/** A form-encoded request body as an object (Twilio's requests). */
export const formOf = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.body));

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

const notFound: FakeReply = { status: 404, json: { code: 20404, message: "The requested resource was not found", status: 404 } };

/** Twilio writes dates as RFC 2822 in GMT: "Thu, 03 Dec 2026 16:37:25 +0000". */
export const twilioDate = (date: Date) => date.toUTCString().replace("GMT", "+0000");

/** A new Twilio Message or Call resource for an accepted POST, shaped like Twilio's. */
function twilioResource(accountSid: string, kind: "Messages" | "Calls", form: Record<string, string>): FakeResource {
  const sid = `${kind === "Messages" ? "SM" : "CA"}${hex(16)}`;
  const now = twilioDate(new Date());
  const common = {
    sid,
    account_sid: accountSid,
    api_version: "2010-04-01",
    to: form.To ?? null,
    from: form.From ?? null,
    status: "queued",
    direction: "outbound-api",
    date_created: now,
    date_updated: now,
    price: null,
    price_unit: "USD",
    uri: `/2010-04-01/Accounts/${accountSid}/${kind}/${sid}.json`,
  };
  return kind === "Messages"
    ? { ...common, body: form.Body ?? null, date_sent: null, error_code: null, error_message: null, messaging_service_sid: null, num_media: "0", num_segments: "1" }
    : { ...common, start_time: null, end_time: null, duration: null, parent_call_sid: null };
}

/** What Resend and Twilio answer, from `resources`; anything unknown is a 404 like theirs. */
function providerAnswer(request: RecordedRequest, resources: Map<string, FakeResource>): FakeReply {
  const url = new URL(request.path, "http://fake");
  if (request.method === "POST" && url.pathname === "/emails") {
    const payload = JSON.parse(request.body) as { from?: string; to?: string[]; subject?: string; text?: string };
    const id = randomUUID();
    resources.set(id, {
      object: "email",
      id,
      from: payload.from ?? null,
      to: payload.to ?? [],
      subject: payload.subject ?? null,
      text: payload.text ?? null,
      html: null,
      bcc: null,
      cc: null,
      reply_to: null,
      created_at: new Date().toISOString(),
      scheduled_at: null,
      last_event: "sent",
    });
    return { status: 200, json: { id } };
  }
  const email = url.pathname.match(/^\/emails\/([^/]+)$/);
  if (request.method === "GET" && email) {
    const found = resources.get(email[1]!);
    return found?.object === "email" ? { status: 200, json: found } : { status: 404, json: { statusCode: 404, name: "not_found", message: "Email not found" } };
  }
  const collection = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/);
  if (request.method === "POST" && collection) {
    const resource = twilioResource(collection[1]!, collection[2] as "Messages" | "Calls", formOf(request));
    resources.set(resource.sid as string, resource);
    return { status: 201, json: resource };
  }
  if (request.method === "GET" && collection) {
    // Twilio's list: newest first, filtered by To and From when given.
    const prefix = collection[2] === "Messages" ? "SM" : "CA";
    const to = url.searchParams.get("To");
    const from = url.searchParams.get("From");
    const pageSize = Number(url.searchParams.get("PageSize") ?? 50);
    const matching = [...resources.values()]
      .filter((r) => String(r.sid).startsWith(prefix) && r.account_sid === collection[1] && (!to || r.to === to) && (!from || r.from === from))
      .reverse()
      .slice(0, pageSize);
    return {
      status: 200,
      json: { [collection[2]!.toLowerCase()]: matching, page: 0, page_size: pageSize, start: 0, end: Math.max(0, matching.length - 1), next_page_uri: null, previous_page_uri: null, uri: request.path },
    };
  }
  const single = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\/([A-Z]{2}[0-9a-f]{32})\.json$/);
  if (request.method === "GET" && single) {
    const found = resources.get(single[3]!);
    return found && found.account_sid === single[1] && String(found.sid).startsWith(single[2] === "Messages" ? "SM" : "CA") ? { status: 200, json: found } : notFound;
  }
  return notFound;
}

/**
 * A stand-in for Resend and Twilio on 127.0.0.1 and a random port: records every request and
 * answers like the real API, or with an error, or never (`answer("hang")`), so tests prove
 * the exact requests Tessera makes, its error handling and its timeout without the internet.
 */
export async function startFakeProviderServer(): Promise<FakeProviderServer> {
  const requests: RecordedRequest[] = [];
  const resources = new Map<string, FakeResource>();
  const succeed = (request: RecordedRequest) => providerAnswer(request, resources);
  let override: ((request: RecordedRequest) => FakeReply | Promise<FakeReply>) | undefined;
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const request: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(request);
      const reply = await (override ?? succeed)(request);
      if (reply === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const body = reply.body ?? JSON.stringify(reply.json ?? {});
      res.writeHead(reply.status, { "Content-Type": reply.contentType ?? "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    resources,
    succeed,
    answer(reply) {
      override = typeof reply === "function" ? reply : () => reply;
    },
    reset() {
      override = undefined;
      requests.length = 0;
      resources.clear();
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The environment that sends SMS and calls to `server` as Twilio account `AC…` (see lib/config.ts). */
export function fakeTwilioEnv(server: FakeProviderServer) {
  return {
    TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000001",
    TWILIO_AUTH_TOKEN: "fake-auth-token-for-tests",
    TWILIO_FROM_NUMBER: "+15005550006",
    TWILIO_API_BASE_URL: server.url,
  };
}

/** The environment that sends email to `server` as Resend. */
export function fakeResendEnv(server: FakeProviderServer) {
  return {
    RESEND_API_KEY: "re_fake_key_for_tests",
    EMAIL_FROM: "Tessera <no-reply@tessera.test>",
    RESEND_BASE_URL: server.url,
  };
}

/** Whatever the machine running the tests has set must not choose a provider. */
const PROVIDER_VARS = ["RESEND_API_KEY", "EMAIL_FROM", "RESEND_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "TWILIO_API_BASE_URL", "MESSAGE_TIMEOUT_MS", "NEXTAUTH_URL"];

/** Clears every provider variable (vi.stubEnv, undone by vi.unstubAllEnvs). */
export function clearProviderEnv() {
  for (const name of PROVIDER_VARS) vi.stubEnv(name, undefined);
}

/** Sets variables for this test (vi.stubEnv). */
export function stubEnv(vars: Record<string, string>) {
  for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
}
