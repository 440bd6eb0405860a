import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { seedFolder, spawnServer, startServer, stopServer, tempFolder, waitUntilUp } from "./support/own-server";

/**
 * SIGTERM under load, as an orchestrator stops a container: keep-alive clients busy on
 * pages and on the Verify API (whose email provider here takes 1.5 s, so requests are truly
 * in flight), then the signal. What an operator and a load balancer must see: every request
 * that had started gets its answer (no connection reset), new connections are refused at
 * once, the process exits 0 with the PGlite lock released, and every 201 is in the folder.
 */
const PORT = 3211;
const PROVIDER_PORT = 3219;
const PROVIDER_DELAY_MS = 1_500;

type Outcome = { started: number; ended: number; status?: number; error?: string; id?: string; connection?: string };

/** A Resend stand-in that answers after a delay: the in-flight work a shutdown must wait for. */
function slowResend(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: crypto.randomUUID() }));
      }, PROVIDER_DELAY_MS),
    );
  });
  return new Promise((resolve) => server.listen(PROVIDER_PORT, "127.0.0.1", () => resolve(server)));
}

function request(agent: http.Agent, options: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request({ host: "127.0.0.1", port: PORT, agent, method: options.method, path: options.path, headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const id = res.statusCode === 201 ? (JSON.parse(body) as { id: string }).id : undefined;
        resolve({ started, ended: performance.now(), status: res.statusCode, id, connection: res.headers.connection });
      });
      res.on("error", (error: NodeJS.ErrnoException) => resolve({ started, ended: performance.now(), error: error.code ?? error.message }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ started, ended: performance.now(), error: error.code ?? error.message }));
    req.end(options.body);
  });
}

function refusesNewConnections(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(PORT, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

test("SIGTERM under load: no request that had started is cut, new connections are refused, exit 0, lock released", async () => {
  test.setTimeout(180_000);
  const dataDir = tempFolder("shutdown");
  const seeded = seedFolder(dataDir);
  const provider = await slowResend();
  const providerEnv = { RESEND_API_KEY: "re_test_key", EMAIL_FROM: "Tessera <codes@example.com>", RESEND_BASE_URL: `http://127.0.0.1:${PROVIDER_PORT}` };
  try {
    const server = await startServer(dataDir, PORT, { env: providerEnv });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 24 });
    const outcomes: Outcome[] = [];
    let sent = 0;
    let stop = false;
    const api = { authorization: `Bearer ${seeded.apiKey}`, "content-type": "application/json" };
    // Warm: the first request of each kind loads its code, as an instance in service has.
    expect((await request(agent, { method: "GET", path: "/sign-in" })).status).toBe(200);
    expect((await request(agent, { method: "POST", path: "/api/v1/verifications", headers: api, body: JSON.stringify({ to: "warm@example.com", channel: "email" }) })).status).toBe(201);
    // 12 clients sending codes (slow: the provider), 12 loading the sign-in page (database and render).
    const clients = Array.from({ length: 24 }, async (_, n) => {
      while (!stop) {
        const outcome =
          n % 2 === 0
            ? await request(agent, { method: "POST", path: "/api/v1/verifications", headers: api, body: JSON.stringify({ to: `load-${sent++}@example.com`, channel: "email" }) })
            : await request(agent, { method: "GET", path: "/sign-in" });
        outcomes.push(outcome);
        // After a refusal the server is gone: stop asking.
        if (outcome.error) break;
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const signalAt = performance.now();
    server.child.kill("SIGTERM");
    // The signal is handled between two pieces of work on the event loop: poll for the refusal.
    let refused = false;
    while (!refused && performance.now() - signalAt < 3_000) {
      refused = await refusesNewConnections();
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const refusedAfterMs = performance.now() - signalAt;
    const code = await server.exited;
    const exitMs = performance.now() - signalAt;
    stop = true;
    await Promise.all(clients);
    agent.destroy();

    const before = outcomes.filter((o) => o.started < signalAt);
    const inFlight = before.filter((o) => o.ended > signalAt);
    const cut = before.filter((o) => o.error !== undefined);
    const fiveHundreds = before.filter((o) => (o.status ?? 0) >= 500);
    const after = outcomes.filter((o) => o.started >= signalAt);
    console.log(
      `SIGTERM with ${inFlight.length} requests in flight (${before.length} started before it): ` +
        `${cut.length} cut (${[...new Set(cut.map((o) => o.error))].join(", ") || "none"}), ${fiveHundreds.length} × 5xx; ` +
        `after it: ${after.filter((o) => o.status).length} answered with Connection: close, ${after.filter((o) => o.error).length} refused (${[...new Set(after.map((o) => o.error).filter(Boolean))].join(", ")}); ` +
        `exit ${code} after ${Math.round(exitMs)} ms; new connections refused ${refused ? `from ${Math.round(refusedAfterMs)} ms` : "never"} after the signal`,
    );
    if (cut.length) console.log("cut (ms from the signal, started/ended):", cut.map((o) => `${Math.round(o.started - signalAt)}/${Math.round(o.ended - signalAt)}`).join(" "));
    expect(inFlight.length, "the load had requests in flight at the signal").toBeGreaterThan(5);
    expect(cut, "requests started before SIGTERM that got no answer").toEqual([]);
    expect(fiveHundreds).toEqual([]);
    expect(refused, "a new connection after SIGTERM is refused").toBe(true);
    for (const o of after.filter((o) => o.status)) expect(o.connection).toBe("close");
    expect(code, server.output()).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
    expect(fs.existsSync(path.join(dataDir, "db.lock")), "the PGlite lock is released").toBe(false);

    // Every verification answered 201 is in the folder, which opens again.
    const created = outcomes.filter((o) => o.status === 201).map((o) => o.id!);
    expect(created.length).toBeGreaterThan(0);
    const again = spawnServer(dataDir, PORT, { env: providerEnv });
    await waitUntilUp(again);
    try {
      for (const id of created) {
        const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/verifications/${id}`, { headers: api });
        expect(res.status, `verification ${id}`).toBe(200);
      }
    } finally {
      expect(await stopServer(again)).toBe(0);
    }
  } finally {
    provider.close();
  }
});
