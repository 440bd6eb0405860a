import { defineConfig } from "@playwright/test";

/**
 * End-to-end suite. CI builds first (`next build`); this config only starts the built app.
 * The server gets its own port and its own fresh database folder (.data-e2e), so it never
 * touches a `next dev` on :3000 with ./.data (PGlite has no cross-process lock).
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);
// `localhost`, never 127.0.0.1: WebAuthn rejects IP addresses as an RP ID.
const BASE_URL = `http://localhost:${PORT}`;
const DATA_DIR = process.env.E2E_DATA_DIR ?? ".data-e2e";

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e/results",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "e2e/results/report.json" }]],
  use: {
    baseURL: BASE_URL,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // A fresh database every run. Deleted here rather than in a globalSetup, because
    // Playwright starts the webServer *before* globalSetup runs.
    // scripts/server.mjs (`npm start`), not `next start`: a bare Next server refuses to start in
    // production, since it cannot tell Tessera the client's address (lib/auth/client-ip.ts).
    command: `rm -rf ${DATA_DIR} && node scripts/server.mjs -p ${PORT}`,
    url: `${BASE_URL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: process.env.E2E_REUSE === "1",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      TESSERA_DATA_DIR: DATA_DIR,
      NEXTAUTH_URL: BASE_URL,
      TESSERA_DEV_OUTBOX: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      // Every e2e account signs up from 127.0.0.1; the default (20 an hour) is for real networks.
      TESSERA_SIGNUPS_PER_IP_PER_HOUR: "1000",
      // A browser test cannot wait the 24 hours a member must belong to a team before a reset
      // may be asked for (lib/config.ts); the rule itself is tested in lib/teams/reset-takeover.test.ts.
      TESSERA_MIN_MEMBERSHIP_AGE_FOR_RESET_HOURS: "0",
    },
  },
});
