import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { acquireDataDirLock } from "./pglite-lock";

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-lock-"));
  dirs.push(dir);
  return path.join(dir, "db");
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A real, running process other than this one. */
function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  return child;
}

const readLock = (dir: string) => JSON.parse(fs.readFileSync(`${dir}.lock`, "utf8")) as Record<string, unknown>;
const myView = () => ({
  host: os.hostname(),
  boot: fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
  pidns: fs.readlinkSync("/proc/self/ns/pid"),
});

/**
 * Runs `script` (CommonJS, `lock` = acquireDataDirLock) under node with tsx in a fresh PID
 * namespace, as a new container would: node is its pid 1, and it dies with `unshare`.
 */
function inNewPidNamespace(script: string) {
  const lockModule = path.resolve("lib/db/pglite-lock.ts");
  const code = `const { acquireDataDirLock: lock } = require(${JSON.stringify(lockModule)}); ${script}`;
  return spawn("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", process.execPath, "--conditions=react-server", "--import", "tsx", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
}
const canUnshare = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;

describe("PGlite data folder lock", () => {
  it("is taken with who holds it inside, and released", () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, ...myView() });
    expect(() => acquireDataDirLock(dir)).toThrow(`The database folder ${dir} is already open in this process.`);
    release();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    acquireDataDirLock(dir)();
  });

  it("refuses at once while another live process holds it, naming the folder and the process", async () => {
    const dir = tempDir();
    const child = otherProcess();
    try {
      // A bare pid, as earlier versions wrote it.
      fs.writeFileSync(`${dir}.lock`, String(child.pid));
      expect(() => acquireDataDirLock(dir)).toThrow(`The database folder ${dir} is in use by another process (pid ${child.pid}).`);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once("exit", resolve));
    }
    // The holder is gone: its lock is stale and taken over.
    const release = acquireDataDirLock(dir);
    expect(readLock(dir).pid).toBe(process.pid);
    release();
  });

  it("takes over a lock with garbage in it", () => {
    const dir = tempDir();
    fs.writeFileSync(`${dir}.lock`, "not a pid");
    acquireDataDirLock(dir)();
  });

  it("takes over a lock left with this process's pid by an earlier process (a new container reuses pids)", () => {
    const dir = tempDir();
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.pid, start: "1", ...myView() }));
    acquireDataDirLock(dir)();
    fs.writeFileSync(`${dir}.lock`, String(process.pid));
    acquireDataDirLock(dir)();
  });

  it("takes over a lock whose pid is a live neighbour that started later than the holder did", async () => {
    const dir = tempDir();
    const child = otherProcess();
    try {
      fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: child.pid, start: "1", ...myView() }));
      acquireDataDirLock(dir)();
    } finally {
      child.kill();
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });

  it("keeps its heartbeat while held", async () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir, { heartbeatMs: 50 });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(`${dir}.lock`, old, old);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(Date.now() - fs.statSync(`${dir}.lock`).mtimeMs).toBeLessThan(1_000);
    release();
  });

  it("waits for a holder it cannot see (another PID namespace) until its heartbeat stops, then takes it over", () => {
    const dir = tempDir();
    const elsewhere = { pid: 1, start: "1", host: "another-container", boot: "b", pidns: "pid:[1]" };
    fs.writeFileSync(`${dir}.lock`, JSON.stringify(elsewhere));
    const messages: string[] = [];
    // Fresh heartbeat that nobody renews: stale after 300 ms, then taken over.
    const started = Date.now();
    acquireDataDirLock(dir, { staleAfterMs: 300, heartbeatMs: 50, log: (m) => messages.push(m) })();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(messages.join("\n")).toContain("locked by pid 1 on another-container");
  });

  it.skipIf(!canUnshare)("a holder killed -9 in one PID namespace does not stop a process in the next one; a live one in another namespace does", async () => {
    const dir = tempDir();
    const holder = inNewPidNamespace(`lock(${JSON.stringify(dir)}, { heartbeatMs: 100 }); console.log("held"); setInterval(() => {}, 1000);`);
    onTestFinished(() => void holder.kill("SIGKILL"));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("held") && resolve());
      holder.once("exit", (code) => reject(new Error(`holder exited ${code}`)));
    });
    expect(readLock(dir).pid).toBe(1); // node is the namespace's first process

    // Alive in another namespace: a contender sees a fresh heartbeat and refuses.
    const contender = inNewPidNamespace(`try { lock(${JSON.stringify(dir)}, { staleAfterMs: 1000, heartbeatMs: 100 }); console.log("TOOK"); } catch (e) { console.log(e.message); }`);
    let said = "";
    contender.stdout.on("data", (chunk: Buffer) => (said += chunk));
    await new Promise((resolve) => contender.once("exit", resolve));
    expect(said).toContain("is in use by pid 1 on");

    // kill -9 the whole namespace: the lock file stays behind, with pid 1 in it.
    holder.kill("SIGKILL");
    await new Promise((resolve) => holder.once("exit", resolve));
    expect(fs.existsSync(`${dir}.lock`)).toBe(true);
    const next = inNewPidNamespace(`lock(${JSON.stringify(dir)}, { staleAfterMs: 1000, heartbeatMs: 100 }); console.log("TOOK " + process.pid);`);
    let nextSaid = "";
    next.stdout.on("data", (chunk: Buffer) => (nextSaid += chunk));
    next.stderr.on("data", (chunk: Buffer) => (nextSaid += chunk));
    const code = await new Promise((resolve) => next.once("exit", resolve));
    expect(nextSaid).toContain("TOOK 1"); // its own pid is the dead holder's
    expect(code).toBe(0);
  }, 30_000);
});
