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
import net from "node:net";
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
function logError(event, error) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event, error: errorFacts(error) })}\n`);
}
/** Set on SIGTERM/SIGINT: every response from then on says `Connection: close`. */
let draining = false;
/** Responses under way, so a drain can tell a keep-alive client to go before its next request. */
const open = new Set();

server.on("request", (req, res) => {
  // A socket that is already gone has no address, and no one to answer either.
  if (!markPeer(req)) return void res.destroy();
  if (draining) res.setHeader("connection", "close");
  open.add(res);
  res.once("close", () => {
    open.delete(res);
    // Its socket may be idle now (a response whose headers left before the drain began).
    if (draining) setImmediate(() => server.closeIdleConnections());
  });
  handle(req, res).catch((error) => {
    logError("server.request_failed", error);
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

/** How long requests in flight may take to finish after SIGTERM before they are cut. */
const DRAIN_MS = 10_000;

/**
 * Graceful stop, for an orchestrator's SIGTERM or a Ctrl-C: stop listening (new connections
 * are refused at once, so a load balancer moves on), let every request under way finish, each
 * answered with `Connection: close` so keep-alive clients reconnect elsewhere instead of
 * sending their next request into a closing socket, then close the database (PGlite flushes
 * and releases its folder lock) and exit 0: a stop that was asked for and lost nothing. A
 * request still running after DRAIN_MS is cut, and the exit code is 1 to say so.
 */
/** How long a stop may spend accepting connections already waiting in the listener's backlog. */
const BACKLOG_MS = 1_000;
const connections = () => new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
const nextTurn = () => new Promise((resolve) => setTimeout(() => setImmediate(resolve), 0));

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  draining = true;
  const started = Date.now();
  const inFlight = open.size;
  // lib/db/maintenance.ts keeps its handle on globalThis too: no retention pass starts from
  // now on, and the one under way (if any) finishes before the database closes.
  const maintenanceStopped = globalThis.__tesseraMaintenance?.stop();
  for (const res of open) if (!res.headersSent) res.setHeader("connection", "close");
  // Connections waiting in the backlog are accepted (turns of the event loop until no new one
  // comes, within BACKLOG_MS) and requests whose bytes have arrived are parsed, before the
  // listener closes and idle sockets go: closing a listener resets what is still in its
  // backlog, and a socket with an unparsed request looks idle. (http.Server#close would close
  // idle sockets at once, so the listener is closed through net.Server's own close.)
  const backlogUntil = Date.now() + BACKLOG_MS;
  for (let before = -1, now = await connections(); now !== before && Date.now() < backlogUntil; ) {
    await nextTurn();
    [before, now] = [now, await connections()];
  }
  const drained = new Promise((resolve) => net.Server.prototype.close.call(server, () => resolve(true)));
  await nextTurn();
  server.closeIdleConnections();
  if (dev) server.closeAllConnections(); // hot-reload sockets never finish by themselves
  // Sockets that turn idle later (a keep-alive client gone quiet); swept right after a poll phase, when what has arrived is read.
  const sweep = setInterval(() => setImmediate(() => server.closeIdleConnections()), 250);
  let timer;
  const inTime = await Promise.race([drained, new Promise((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_MS)))]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (!inTime) server.closeAllConnections();
  let closed = true;
  try {
    await app.close();
    await maintenanceStopped;
    // lib/db/index.ts keeps the process's one database on globalThis (Next's bundles share it).
    await globalThis.__tesseraDb?.close?.();
  } catch (error) {
    closed = false;
    logError("server.close_failed", error);
  }
  const ms = Date.now() - started;
  console.log(
    inTime
      ? `Tessera stopped (${signal}): ${inFlight} request(s) in flight finished, database closed, in ${ms} ms.`
      : `Tessera stopped (${signal}) after ${DRAIN_MS} ms: requests still running were cut.`,
  );
  process.exit(inTime && closed ? 0 : 1);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
