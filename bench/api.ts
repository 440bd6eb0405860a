/**
 * Load on the Verify API under `npm start` (scripts/server.mjs), beside a bare route handler in the same run:
 *
 *   npx next build && npm run bench:api -- [--db both|pglite|postgres] [--duration 10] [--connections 10]
 *
 * For each database: a fresh one (PGlite in a temp folder, or a database created on BENCH_PG_URL,
 * default postgres://postgres@127.0.0.1:5432/test, dropped afterwards) gets a team and 20 API
 * keys, written by this process before the server starts (PGlite allows one process per folder).
 * Then scripts/server.mjs serves it and autocannon measures, each for --duration seconds:
 *  - bare:   GET /api/health — the route handler that touches nothing: what Next itself costs;
 *  - create: POST /api/v1/verifications by email (free, so credits don't run out), a new address
 *            per request (5 sends per address per hour) and the keys in turn (100 requests/s each);
 *  - check:  POST /api/v1/verifications/{id}/check with a wrong code on the verifications the create
 *            run made, each at most 4 times (5 checks each): every request counts an attempt and compares.
 * It prints requests/s, p50 and p99 latency, and each endpoint's throughput as a share of the bare one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import postgres from "postgres";
import { closeDatabase, prepareDatabase } from "@/lib/db";
import { createApiKey } from "@/lib/verify-api/keys";
import { seedTeam } from "../scripts/seed";

const KEYS = 20;
/** Each verification allows 5 checks; the bench stays below, so every check does the full work. */
const CHECKS_PER_VERIFICATION = 4;

type Row = { db: string; endpoint: string; rps: number; p50: number; p99: number; errors: number; requests: number };

async function seed(): Promise<string[]> {
  await prepareDatabase();
  const { teamId, ownerId } = await seedTeam({ members: 0, teamName: "Bench Corp" });
  const keys: string[] = [];
  for (let i = 0; i < KEYS; i += 1) {
    const created = await createApiKey(teamId, { id: ownerId }, `bench ${i}`, {});
    if (!created.ok) throw new Error(`could not create an API key: ${created.message}`);
    keys.push(created.key);
  }
  await closeDatabase();
  return keys;
}

const BENCH_SECRET = randomBytes(32).toString("base64url");

async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join("scripts", "server.mjs"), "-p", String(port)], {
    // The outbox is the provider only where it is read (TESSERA_DEV_OUTBOX); on PostgreSQL a production server needs a secret.
    env: {
      ...process.env,
      TESSERA_DEV_OUTBOX: "1",
      TESSERA_SECRET: process.env.TESSERA_SECRET || BENCH_SECRET,
      ...env,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXTAUTH_URL: `http://localhost:${port}`,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill();
  throw new Error("the server did not answer within 60 s");
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

function measure(label: string, endpoint: string, options: autocannon.Options): Promise<Row> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve({
        db: label,
        endpoint,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.timeouts + result.non2xx,
        requests: result.requests.total,
      });
    });
  });
}

async function run(label: string, env: Record<string, string>, port: number, duration: number, connections: number): Promise<Row[]> {
  Object.assign(process.env, env);
  const keys = await seed();
  const server = await startServer(port, env);
  const url = `http://127.0.0.1:${port}`;
  const rows: Row[] = [];
  try {
    const common = { url, connections, duration, pipelining: 1 };
    // Warm-up: the first requests compile nothing in production, but they do open pools and caches.
    await measure(label, "warm-up", { ...common, duration: 2, url: `${url}/api/health` });
    rows.push(await measure(label, "bare GET /api/health", { ...common, url: `${url}/api/health` }));

    const ids: string[] = [];
    let sent = 0;
    rows.push(
      await measure(label, "POST /api/v1/verifications", {
        ...common,
        requests: [
          {
            method: "POST",
            path: "/api/v1/verifications",
            setupRequest: (request) => {
              const n = sent++;
              return {
                ...request,
                headers: { "content-type": "application/json", authorization: `Bearer ${keys[n % KEYS]}` },
                body: JSON.stringify({ to: `bench-${n}@example.com`, channel: "email" }),
              };
            },
            onResponse: (status, body) => {
              if (status === 201) ids.push((JSON.parse(body) as { id: string }).id);
            },
          },
        ],
      }),
    );
    if (ids.length === 0) throw new Error("the create run made no verifications");

    let checked = 0;
    rows.push(
      await measure(label, "POST /api/v1/verifications/{id}/check", {
        ...common,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => {
              const n = checked++;
              // Round-robin over the verifications; past 4 checks each the answers are `failed` (cheaper), so the run is cut short below.
              const id = ids[n % ids.length];
              return {
                ...request,
                path: `/api/v1/verifications/${id}/check`,
                headers: { "content-type": "application/json", authorization: `Bearer ${keys[n % KEYS]}` },
                // 7 digits against a 6-digit code: always wrong, and still a full check (attempt counted, hash compared).
                body: JSON.stringify({ code: "0000000" }),
              };
            },
          },
        ],
        amount: ids.length * CHECKS_PER_VERIFICATION,
      }),
    );
  } finally {
    await stopServer(server);
  }
  return rows;
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: "string", default: "both" },
      duration: { type: "string", default: "10" },
      connections: { type: "string", default: "10" },
      port: { type: "string", default: "3190" },
    },
  });
  if (!fs.existsSync(path.join(".next", "BUILD_ID"))) throw new Error("No production build: run `npx next build` first.");
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const port = Number(values.port);
  const rows: Row[] = [];

  if (values.db === "both" || values.db === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-bench-api-"));
    try {
      rows.push(...(await run("PGlite", { TESSERA_DATA_DIR: dir, DATABASE_URL: "" }, port, duration, connections)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (values.db === "both" || values.db === "postgres") {
    const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const name = "tessera_bench_api";
    const admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-bench-api-"));
    try {
      rows.push(...(await run("PostgreSQL", { TESSERA_DATA_DIR: dir, DATABASE_URL: url.toString() }, port, duration, connections)));
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  console.log("");
  console.log(`Verify API under npm start, ${connections} connections, ${duration} s per endpoint (latency in ms)`);
  const bare = new Map(rows.filter((r) => r.endpoint.startsWith("bare")).map((r) => [r.db, r.rps]));
  console.table(
    rows.map((r) => ({
      db: r.db,
      endpoint: r.endpoint,
      "req/s": r.rps.toFixed(0),
      p50: r.p50,
      p99: r.p99,
      "vs bare": `${((r.rps / bare.get(r.db)!) * 100).toFixed(1)}%`,
      requests: r.requests,
      "non-2xx/errors": r.errors,
    })),
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
