import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { spawnServer, startServer, stopServer, tempFolder } from "./support/own-server";

/**
 * The data folder as an operator's disk gets it: read-only, full, and left locked by a server
 * killed -9 in a container whose PIDs start over. Mounting needs root (CI runs as root); the
 * PID namespaces need unshare(1).
 */
const PORT = 3214;

function mountTmpfs(options: string): string {
  const dir = tempFolder("disk");
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`mount -o ${options} failed: ${result.stderr}`);
  process.once("exit", () => spawnSync("umount", ["-l", dir]));
  return dir;
}
const unmount = (dir: string) => spawnSync("umount", ["-l", dir]);
const canMount = process.getuid?.() === 0;
const canUnshare = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;

async function startFailure(dataDir: string) {
  const server = spawnServer(dataDir, PORT);
  const code = await server.exited;
  return { code, output: server.output() };
}

test.describe("the data folder at start", () => {
  test.skip(!canMount, "needs root to mount a read-only and a full tmpfs");

  test("a read-only folder stops the server at once with the folder and what to do, no stack", async () => {
    const disk = mountTmpfs("ro,size=1m");
    try {
      const dataDir = path.join(disk, "data");
      const { code, output } = await startFailure(dataDir);
      expect(code, output).toBe(1);
      expect(output).toContain(`Tessera cannot start: The data folder ${dataDir} is on a read-only file system (EROFS).`);
      expect(output).toContain("mount the volume read-write, or set TESSERA_DATA_DIR to a writable folder");
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      unmount(disk);
    }
  });

  test("a full disk stops the server with the folder and what is left, and writes nothing", async () => {
    const disk = mountTmpfs("size=4m");
    try {
      const dataDir = path.join(disk, "data");
      const { code, output } = await startFailure(dataDir);
      expect(code, output).toBe(1);
      expect(output).toMatch(new RegExp(`Tessera cannot start: The disk of the data folder ${dataDir} is full \\(\\d+ [KM]iB free\\)\\. The database needs at least 32 MiB free`));
      expect(output).not.toMatch(/\n\s+at /);
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      unmount(disk);
    }
  });
});

test("a server killed -9 in one PID namespace starts again in a new one (its pid is the dead holder's)", async () => {
  test.skip(!canUnshare, "needs unshare(1) and CAP_SYS_ADMIN");
  test.setTimeout(180_000);
  const dataDir = path.join(tempFolder("pidns"), "data");
  const wrap = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];
  const first = await startServer(dataDir, PORT, { wrap });
  const lock = JSON.parse(fs.readFileSync(path.join(dataDir, "db.lock"), "utf8")) as { pid: number };
  expect(lock.pid, "node is the namespace's first process, as in a container").toBe(1);
  first.child.kill("SIGKILL"); // unshare, and with --kill-child the server with it: no cleanup runs
  await first.exited;
  expect(fs.existsSync(path.join(dataDir, "db.lock")), "the dead server's lock stays behind").toBe(true);

  const started = Date.now();
  const second = await startServer(dataDir, PORT, { wrap });
  const ms = Date.now() - started;
  console.log(`restarted in a new PID namespace in ${ms} ms; the server said: ${second.output().match(/waiting up to .*/)?.[0] ?? "(no wait)"}`);
  expect((await fetch(`http://127.0.0.1:${PORT}/sign-in`)).status).toBe(200);
  expect(await stopServer(second)).toBe(0);
  expect(fs.existsSync(path.join(dataDir, "db.lock"))).toBe(false);
});
