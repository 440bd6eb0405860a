import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

/**
 * A PostgreSQL cluster of a spec's own, to stop and start under load: never the shared
 * server. Debian's binaries; run as the `postgres` user when the spec runs as root (initdb
 * refuses root).
 */
const BIN = process.env.PG_BIN ?? (fs.existsSync("/usr/lib/postgresql") ? path.join("/usr/lib/postgresql", fs.readdirSync("/usr/lib/postgresql").sort().at(-1)!, "bin") : "");

export type Cluster = { url: string; dir: string; start: () => void; stop: () => void; destroy: () => void };

function asOwner(command: string, args: string[]): void {
  const file = path.join(BIN, command);
  if (process.getuid?.() === 0) execFileSync("runuser", ["-u", "postgres", "--", file, ...args], { stdio: "pipe" });
  else execFileSync(file, args, { stdio: "pipe" });
}

export function createCluster(port: number): Cluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-pg-${port}-`));
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  const data = path.join(dir, "data");
  asOwner("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const start = () => asOwner("pg_ctl", ["-D", data, "-w", "-l", path.join(dir, "log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  const stop = () => asOwner("pg_ctl", ["-D", data, "-w", "-m", "fast", "stop"]);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    start,
    stop,
    destroy: () => {
      try {
        asOwner("pg_ctl", ["-D", data, "-w", "-m", "immediate", "stop"]);
      } catch {
        // Already stopped.
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Server = { child: ChildProcess; url: string; output: () => string; stop: () => Promise<void> };

/** `node scripts/server.mjs` (the production server; `next build` first) on `port`, ready once /api/health answers. */
export async function startServer(port: number, env: Record<string, string>): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-app-${port}-`));
  const url = `http://localhost:${port}`;
  const child = spawn(process.execPath, ["scripts/server.mjs", "-p", String(port)], {
    env: { ...process.env, TESSERA_DATA_DIR: dataDir, NEXTAUTH_URL: url, NEXT_TELEMETRY_DISABLED: "1", TESSERA_SIGNUPS_PER_IP_PER_HOUR: "1000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server on ${port} exited: ${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server on ${port} did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { child, url, output: () => output, stop };
}

/**
 * A team with an owner and a live API key, written straight into the database the server
 * migrated (the UI path to a key — enrolment, step-up — is developers.spec.ts's subject).
 */
export async function seedApiKey(databaseUrl: string): Promise<{ key: string; hash: string; teamId: string }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const key = `tsk_live_${randomBytes(24).toString("base64url")}`;
    const hash = createHash("sha256").update(key).digest("base64url");
    const [user] = await sql`insert into users (name, email, password_hash) values ('Olive Owner', ${`owner-${randomBytes(6).toString("hex")}@example.com`}, 'x') returning id`;
    const [team] = await sql`insert into teams (name) values ('Outage team') returning id`;
    await sql`insert into memberships (team_id, user_id, role) values (${team!.id}, ${user!.id}, 'owner')`;
    await sql`insert into api_keys (team_id, name, prefix, hash, created_by) values (${team!.id}, 'load', ${key.slice(0, 17)}, ${hash}, ${user!.id})`;
    return { key, hash, teamId: team!.id as string };
  } finally {
    await sql.end();
  }
}

/** One timed API create: its status, Retry-After and how long the answer took. */
export type Answer = { status: number; retryAfter: string | null; ms: number; startedAt: number; code?: string };

export async function createVerification(baseUrl: string, key: string, to: string): Promise<Answer> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${baseUrl}/api/v1/verifications`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ to, channel: "email" }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return { status: response.status, retryAfter: response.headers.get("retry-after"), ms: Date.now() - startedAt, startedAt, code: body.error?.code };
  } catch (error) {
    return { status: 0, retryAfter: null, ms: Date.now() - startedAt, startedAt, code: error instanceof Error ? error.message : String(error) };
  }
}
