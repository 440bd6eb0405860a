import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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

export type FakeProviderServer = {
  /** `http://127.0.0.1:<port>`: use as TWILIO_API_BASE_URL or RESEND_BASE_URL. */
  url: string;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** Answer every following request this way (until `reset`), instead of the provider's success. */
  answer(reply: FakeReply | ((request: RecordedRequest) => FakeReply)): void;
  /** Back to success answers; forgets the recorded requests. */
  reset(): void;
  close(): Promise<void>;
};

/** A form-encoded request body as an object (Twilio's requests). */
export const formOf = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.body));

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** What Resend and Twilio answer to a request they accept; anything else is a 404 like theirs. */
function success(request: RecordedRequest): FakeReply {
  if (request.method === "POST" && request.path === "/emails") return { status: 200, json: { id: randomUUID() } };
  const twilio = request.path.match(/^\/2010-04-01\/Accounts\/[^/]+\/(Messages|Calls)\.json$/);
  if (request.method === "POST" && twilio) {
    const sid = `${twilio[1] === "Messages" ? "SM" : "CA"}${hex(16)}`;
    return { status: 201, json: { sid, status: "queued" } };
  }
  return { status: 404, json: { code: 20404, message: "The requested resource was not found", status: 404 } };
}

/**
 * A stand-in for Resend and Twilio on 127.0.0.1 and a random port: records every request and
 * answers like the real API, or with an error, or never (`answer("hang")`), so tests prove
 * the exact requests Tessera makes, its error handling and its timeout without the internet.
 */
export async function startFakeProviderServer(): Promise<FakeProviderServer> {
  const requests: RecordedRequest[] = [];
  let override: ((request: RecordedRequest) => FakeReply) | undefined;
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(request);
      const reply = (override ?? success)(request);
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
    answer(reply) {
      override = typeof reply === "function" ? reply : () => reply;
    },
    reset() {
      override = undefined;
      requests.length = 0;
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
