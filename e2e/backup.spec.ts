import { spawnSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInToChallenge, submitChallengeCode, TotpDevice } from "./helpers";
import { seedFolder, serverEnv, startServer, stopServer, tempFolder } from "./support/own-server";

/**
 * `npm run backup` while the server works, `npm run restore` into a fresh folder, a server
 * on the copy: the owner signs in with the authenticator app, and the credit ledger is exact —
 * each team's balance is its starting 50 plus the sum of its ledger, and the copy's ledger is
 * the original's as it stood at some instant (a prefix of it, row for row).
 */
const PORT = 3212;
const RESTORED_PORT = 3213;
const STARTING_CREDITS = 50;

type Ledger = {
  balances: { id: string; balance: number; deltas: number }[];
  ledger: { seq: number; teamId: string; delta: number; balanceAfter: number }[];
  verifications: string[];
};

function npm(args: string[], dataDir: string): { code: number | null; output: string } {
  const run = spawnSync("npm", ["run", "-s", ...args], { env: serverEnv(dataDir, 0), encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

function readLedger(dataDir: string): Ledger {
  const run = spawnSync("npx", ["tsx", "--conditions=react-server", "e2e/support/ledger.ts"], { env: serverEnv(dataDir, 0), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`reading ${dataDir} failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

function expectExact(ledger: Ledger, label: string) {
  for (const team of ledger.balances) expect(team.balance, `${label}: team ${team.id}`).toBe(STARTING_CREDITS + team.deltas);
}

function post(port: number, apiKey: string, body: object): Promise<{ status: number; id?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/api/v1/verifications", headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, id: res.statusCode === 201 ? (JSON.parse(text) as { id: string }).id : undefined }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

test("a backup made under load restores into a fresh folder that signs in with TOTP and keeps the ledger exact", async ({ page }) => {
  test.setTimeout(240_000);
  const original = path.join(tempFolder("backup-original"), "data");
  const restored = path.join(tempFolder("backup-restored"), "data");
  const file = path.join(tempFolder("backup-file"), "tessera.tar.gz");
  const seeded = seedFolder(original);
  const env = { TESSERA_SMS_PER_TEAM_PER_MINUTE: "1000" };
  const server = await startServer(original, PORT, { env });

  // Light load: SMS codes (each debits a credit: a ledger row) and email codes, two clients.
  let stop = false;
  let n = 0;
  const created: { id: string; before: boolean }[] = [];
  let backupStarted = false;
  const clients = [0, 1].map(async (client) => {
    while (!stop) {
      n += 1;
      // Each SMS in a block of 1,000 numbers of its own (+1 415 2nn …): over 20 an hour into one
      // block pauses the team (SMS pumping, lib/fraud), which a fast machine reaches in seconds.
      const to = client === 0 ? `+1415${200 + n}2041` : `backup-${n}@example.com`;
      const startedBeforeBackup = !backupStarted;
      const res = await post(PORT, seeded.apiKey, { to, channel: client === 0 ? "sms" : "email" });
      expect(res.status, `${to}`).toBe(201);
      created.push({ id: res.id!, before: startedBeforeBackup });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 2_000));

  backupStarted = true;
  const backup = npm(["backup", "--", "--out", file], original);
  console.log(backup.output.trim());
  expect(backup.code, backup.output).toBe(0);
  expect(backup.output).toContain("from the running server");
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  stop = true;
  await Promise.all(clients);
  expect(await stopServer(server)).toBe(0);

  // Restore refuses to overwrite, and refuses while a server holds the folder.
  const intoOriginal = npm(["restore", "--", file], original);
  expect(intoOriginal.code).toBe(1);
  expect(intoOriginal.output).toContain(`Restore refused: ${original}/db already holds a database.`);

  const restore = npm(["restore", "--", file], restored);
  console.log(restore.output.trim());
  expect(restore.code, restore.output).toBe(0);

  const before = readLedger(original);
  const after = readLedger(restored);
  expectExact(before, "original");
  expectExact(after, "restored");
  expect(after.ledger.length, "the copy has the seeded top-ups and some of the load's debits").toBeGreaterThan(3);
  expect(before.ledger.slice(0, after.ledger.length), "the copy's ledger is the original's at one instant").toEqual(after.ledger);
  for (const { id } of created.filter((c) => c.before)) expect(after.verifications, `verification ${id} answered before the backup`).toContain(id);
  console.log(
    `backup under load: original ${before.ledger.length} ledger rows, ${before.verifications.length} verifications; ` +
      `copy ${after.ledger.length} rows, ${after.verifications.length} verifications; balances ${after.balances.map((t) => `${t.balance} = 50 + ${t.deltas}`).join(", ")}`,
  );

  const copy = await startServer(restored, RESTORED_PORT, { env });
  try {
    const whileRunning = npm(["restore", "--", "--force", file], restored);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.output).toMatch(/Restore refused: The database folder .* is in use by another process \(pid \d+\)/);

    await page.goto(`http://localhost:${RESTORED_PORT}/sign-in`);
    await signInToChallenge(page, seeded.ownerEmail, seeded.ownerPassword);
    const device = new TotpDevice(seeded.totpSecret, Math.floor(Date.now() / 30_000) - 2);
    await submitChallengeCode(page, await device.next());
    await page.waitForURL(`http://localhost:${RESTORED_PORT}/dashboard`);
  } finally {
    expect(await stopServer(copy)).toBe(0);
  }
});
