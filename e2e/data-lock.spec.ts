import { spawn } from "node:child_process";
import { expect, test } from "@playwright/test";

const DATA_DIR = process.env.E2E_DATA_DIR ?? ".data-e2e"; // the e2e server's, as in playwright.config.ts

/**
 * A second server on the data folder the e2e server already holds must stop at once with
 * the folder and the holder's pid — never open it (PGlite would lose committed rows).
 */
test("a second server on the same PGlite folder stops at once and says why", async () => {
  test.setTimeout(60_000);
  const started = Date.now();
  const child = spawn(process.execPath, ["scripts/server.mjs", "-p", "3199"], {
    env: { ...process.env, TESSERA_DATA_DIR: DATA_DIR, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, 45_000);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  expect(code, output).toBe(1);
  const folder = DATA_DIR.replace(/[.-]/g, "\\$&");
  expect(output).toMatch(new RegExp(`Tessera cannot start: The database folder .*${folder}/db is in use by another process \\(pid \\d+\\)`));
  console.log(`second server refused in ${Date.now() - started} ms`);
});
