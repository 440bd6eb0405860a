/**
 * Tessera's server: `npm start` (production, after `next build`) and `npm run dev` (--dev).
 *
 *   node scripts/server.mjs [--dev] [-p PORT] [-H HOSTNAME]     (PORT and HOSTNAME also from the environment)
 *
 * Next's request handler inside Node's own http server, for one reason: Next hands route
 * handlers and server actions no socket, and it keeps an X-Forwarded-For the client sent, so
 * the client's address cannot be told apart from a header anyone can write. This server
 * writes the TCP peer's address into `x-tessera-peer` on every request, overwriting whatever
 * came in, beside `x-tessera-peer-proof`: a random token made at each start that only this
 * process knows (its environment, TESSERA_PEER_PROOF). lib/auth/client-ip.ts believes the
 * first header only with the second, and a production server started any other way refuses
 * to start (lib/db/startup.ts).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";

const PEER_HEADER = "x-tessera-peer";
const PEER_PROOF_HEADER = "x-tessera-peer-proof";

const { values } = parseArgs({
  options: {
    dev: { type: "boolean", default: false },
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
  },
});

const dev = values.dev;
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Tessera cannot start: the port must be a whole number from 1 to 65535; it is "${values.port ?? process.env.PORT}".`);
  process.exit(1);
}
// Unset means every interface, IPv4 and IPv6, as with `next start`.
const hostname = values.hostname ?? process.env.HOSTNAME ?? undefined;

// Both before Next loads: it reads NODE_ENV as it starts, and the app reads the proof.
process.env.NODE_ENV = dev ? "development" : "production";
const proof = randomBytes(32).toString("base64url");
process.env.TESSERA_PEER_PROOF = proof;

/** An IPv4 client on a dual-stack socket shows as ::ffff:1.2.3.4; it is 1.2.3.4. */
function peerAddress(socket) {
  const address = socket.remoteAddress;
  if (!address) return undefined;
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

const { default: next } = await import("next");
const server = http.createServer();
const app = next({ dev, dir: process.cwd(), hostname: hostname ?? "localhost", port, httpServer: server });
const handle = app.getRequestHandler();
await app.prepare();

function markPeer(req) {
  const peer = peerAddress(req.socket);
  if (!peer) return false;
  req.headers[PEER_HEADER] = peer;
  req.headers[PEER_PROOF_HEADER] = proof;
  return true;
}

/**
 * Next answers its own errors; this is for one that escapes it. The shape of lib/log.ts's
 * lines (this file imports nothing of the app): the error's name, code and message, never a
 * query's parameters, and the cause's.
 */
function errorFacts(error, depth = 0) {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const params = error.message.indexOf("\nparams:");
  return {
    name: error.name,
    message: params === -1 ? error.message : error.message.slice(0, params),
    ...(error.code !== undefined && { code: String(error.code) }),
    ...(error.cause !== undefined && depth < 4 && { cause: errorFacts(error.cause, depth + 1) }),
  };
}
function logRequestError(error) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "server.request_failed", error: errorFacts(error) })}\n`);
}

server.on("request", (req, res) => {
  // A socket that is already gone has no address, and no one to answer either.
  if (!markPeer(req)) return void res.destroy();
  handle(req, res).catch((error) => {
    logRequestError(error);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal Server Error");
  });
});

server.listen(port, hostname, () => {
  const shown = !hostname || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  console.log(`▲ Tessera ${dev ? "(development) " : ""}listening on http://${shown}:${port}`);
});
server.on("error", (error) => {
  console.error(`Tessera cannot start: ${error.message}`);
  process.exit(1);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  // Finish the requests under way, then let Next close; the exit code says which signal it was.
  server.close(() => {
    app.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
  server.closeIdleConnections();
  if (dev) server.closeAllConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
