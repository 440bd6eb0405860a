import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * For specs that start, signal and restart their own `npm start` (scripts/server.mjs) on a
 * folder of their own, beside the suite's main server. Ports come from the spec's range.
 */
export const SECRET = "ops-e2e-secret-0123456789abcdef0123456789abcdef";

export type OwnServer = { child: ChildProcess; port: number; wrapped: boolean; output: () => string; exited: Promise<number | null> };

/** A temp folder removed when the spec's process exits (unless E2E_KEEP=1). */
export function tempFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-${prefix}-`));
  if (process.env.E2E_KEEP !== "1") process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function serverEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SECRET: SECRET,
    NEXTAUTH_URL: `http://localhost:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    // A production server reads no outbox otherwise (lib/messaging/choose-provider.ts): these specs read their codes there.
    TESSERA_DEV_OUTBOX: "1",
    ...extra,
  };
}

/** Seeds a fresh folder (e2e/support/seed-folder.ts) and returns what it made. */
export function seedFolder(dataDir: string): { teamId: string; ownerEmail: string; ownerPassword: string; totpSecret: string; apiKey: string } {
  const run = spawnSync("npx", ["tsx", "--conditions=react-server", "e2e/support/seed-folder.ts"], { env: serverEnv(dataDir, 0), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`seeding ${dataDir} failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** Spawns the server (optionally under a wrapper such as `unshare …`); does not wait for it. */
export function spawnServer(dataDir: string, port: number, options: { wrap?: string[]; env?: Record<string, string> } = {}): OwnServer {
  const command = [...(options.wrap ?? []), process.execPath, "scripts/server.mjs", "-p", String(port)];
  const child = spawn(command[0]!, command.slice(1), { env: serverEnv(dataDir, port, options.env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  return { child, port, wrapped: !!options.wrap, output: () => output, exited };
}

/** Resolves once /api/health answers; throws with the server's output if it exits or takes too long. */
export async function waitUntilUp(server: OwnServer, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}:\n${server.output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${server.port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server did not answer within ${timeoutMs} ms:\n${server.output()}`);
}

export async function startServer(dataDir: string, port: number, options: { wrap?: string[]; env?: Record<string, string> } = {}): Promise<OwnServer> {
  const server = spawnServer(dataDir, port, options);
  await waitUntilUp(server);
  return server;
}

/**
 * SIGTERM to the server, then its exit code. Under `unshare --fork`, whose parent ignores
 * SIGTERM while it waits, the signal goes to the server, its child (and exit code).
 */
export async function stopServer(server: OwnServer): Promise<number | null> {
  if (server.child.exitCode !== null) return server.exited;
  const children = server.wrapped ? spawnSync("pgrep", ["-P", String(server.child.pid)], { encoding: "utf8" }).stdout.trim() : "";
  const target = children ? Number(children.split("\n")[0]) : server.child.pid!;
  process.kill(target, "SIGTERM");
  return server.exited;
}
