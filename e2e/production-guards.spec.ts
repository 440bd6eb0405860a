import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { newAccount, signUp } from "./helpers";

/** Ports of this spec's own servers (beside the suite's e2e server). */
const REFUSED_PORT = 3241;
const NO_PROVIDER_PORT = 3242;

/** The environment a production server gets here: the suite's variables that would hide what is tested are removed. */
function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
  for (const name of ["TESSERA_SECRET", "TESSERA_SECRET_PREVIOUS", "DATABASE_URL", "TESSERA_DEV_OUTBOX"]) if (!(name in extra)) delete env[name];
  for (const name of Object.keys(env)) if (/^(RESEND_|TWILIO_|EMAIL_FROM)/.test(name)) delete env[name];
  return env;
}

function startServer(port: number, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["scripts/server.mjs", "-p", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

function exitCode(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

let dataDir: string;
test.beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-e2e-guards-"));
});
test.afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A production server on PostgreSQL with no TESSERA_SECRET would generate a key of its own,
 * which no other instance (nor its next container) shares: it stops before it opens the
 * database, and says how to make a secret. Nothing listens on the URL's port: the refusal
 * comes first.
 */
test("a production server on PostgreSQL without TESSERA_SECRET does not start, and says how to make one", async () => {
  test.setTimeout(60_000);
  const started = Date.now();
  const { child, output } = startServer(
    REFUSED_PORT,
    productionEnv({
      DATABASE_URL: "postgres://tessera@127.0.0.1:3249/tessera",
      NEXTAUTH_URL: `http://localhost:${REFUSED_PORT}`,
      TESSERA_DATA_DIR: dataDir,
      XDG_CONFIG_HOME: path.join(dataDir, "config"),
    }),
  );
  expect(await exitCode(child, 45_000), output()).toBe(1);
  expect(output()).toContain("Tessera cannot start: TESSERA_SECRET is not set, and DATABASE_URL names a PostgreSQL server.");
  expect(output()).toContain("`openssl rand -base64 48`");
  // No generated key was left behind.
  expect(fs.existsSync(path.join(dataDir, "config", "tessera"))).toBe(false);
  console.log(`refused in ${Date.now() - started} ms`);
});

async function waitForHealth(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server did not answer within 90 s:\n${output()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/**
 * `npm start` with no RESEND_ and TWILIO_ variables and no TESSERA_DEV_OUTBOX: messages would
 * go to an outbox nobody can read. The operator is warned at start (one JSON line per channel
 * naming the variables), and an owner signing up sees which channels cannot send.
 */
test("a production server with no provider warns at start and shows owners which channels cannot send", async ({ browser }) => {
  test.setTimeout(150_000);
  const origin = `http://localhost:${NO_PROVIDER_PORT}`;
  const { child, output } = startServer(
    NO_PROVIDER_PORT,
    productionEnv({
      TESSERA_DATA_DIR: dataDir,
      XDG_CONFIG_HOME: path.join(dataDir, "config"),
      NEXTAUTH_URL: origin,
      TESSERA_SIGNUPS_PER_IP_PER_HOUR: "1000",
    }),
  );
  try {
    await waitForHealth(NO_PROVIDER_PORT, child, output);
    const warnings = output()
      .split("\n")
      .filter((line) => line.includes('"messaging.not_configured"'))
      .map((line) => JSON.parse(line) as Record<string, string>);
    expect(warnings.map(({ level, channels, set }) => ({ level, channels, set }))).toEqual([
      { level: "warn", channels: "email", set: "RESEND_API_KEY, EMAIL_FROM" },
      { level: "warn", channels: "sms, voice", set: "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER" },
    ]);

    const context = await browser.newContext({ baseURL: origin });
    const page = await context.newPage();
    await signUp(page, newAccount("Grace Hopper"));
    const banner = page.getByTestId("providers-banner");
    await expect(banner).toContainText("Email can't be sent");
    await expect(banner).toContainText("RESEND_API_KEY and EMAIL_FROM");
    await expect(banner).toContainText("Text messages and calls can't be sent");
    await expect(banner).toContainText("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER");
    await context.close();
  } finally {
    await stop(child);
  }
});
