import "server-only";
import fs from "node:fs";
import os from "node:os";
import { Worker } from "node:worker_threads";

/**
 * PGlite has no cross-process lock, and two processes on one data folder silently lose
 * committed rows. Before opening it, a process takes `<folder>.lock`.
 *
 * A pid alone does not say whether the holder lives: PIDs start over in every container, so
 * after an OOM kill or a reboot with the folder on a volume, the old pid is often the new
 * server's own or a live neighbour's (a crash loop). So the lock records who holds it —
 * pid, the process's start time, the boot, the PID namespace and the host — and the holder
 * touches the file every few seconds from a worker thread (a heartbeat that a busy main
 * thread, e.g. PGlite's WebAssembly, does not delay). A contender that sees the holder's
 * namespace (same host, boot and PID namespace) decides at once from the pid and its start
 * time; one that cannot (another container or machine on the same volume) trusts the
 * heartbeat: the lock is stale once the file has not been touched for `staleAfterMs`.
 * Node has no flock(2) without a native addon, which this project cannot build here.
 */
export type LockOptions = { heartbeatMs?: number; staleAfterMs?: number; log?: (message: string) => void };

type Holder = { pid: number; start?: string; boot?: string; pidns?: string; host?: string };

const HEARTBEAT_MS = 2_000;
const STALE_AFTER_MS = 15_000;

/** Takes the lock (waiting out a holder that is only known by its heartbeat); returns the release function. */
export function acquireDataDirLock(dataDir: string, options: LockOptions = {}): () => void {
  const lockPath = `${dataDir}.lock`;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const me = currentHolder();
  const deadline = Date.now() + staleAfterMs + 5 * heartbeatMs;
  let waited = false;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify(me), { flag: "wx" });
      return holdLock(lockPath, me, heartbeatMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const verdict = judge(lockPath, me, staleAfterMs);
    if (verdict.kind === "stale") {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (verdict.kind === "self") throw new Error(`The database folder ${dataDir} is already open in this process.`);
    if (verdict.kind === "alive") {
      throw new Error(
        `The database folder ${dataDir} is in use by another process (pid ${verdict.holder.pid}). ` +
          `Stop that process, or give this one its own folder with TESSERA_DATA_DIR. ` +
          `If no such process is running, delete ${lockPath}.`,
      );
    }
    // "remote": a holder this process cannot see; its heartbeat stops within staleAfterMs of its death.
    if (Date.now() > deadline) {
      throw new Error(
        `The database folder ${dataDir} is in use by pid ${verdict.holder.pid} on ${verdict.holder.host ?? "another host"} ` +
          `(another container or machine): its lock ${lockPath} was renewed ${Math.round(verdict.ageMs / 1000)} s ago. ` +
          `Stop that process, or give this one its own folder with TESSERA_DATA_DIR.`,
      );
    }
    if (!waited) {
      waited = true;
      options.log?.(
        `The database folder ${dataDir} is locked by pid ${verdict.holder.pid} on ${verdict.holder.host ?? "another host"}, which this process cannot see; ` +
          `waiting up to ${Math.ceil(staleAfterMs / 1000)} s for its heartbeat to stop.`,
      );
    }
    sleepSync(Math.min(heartbeatMs, 500));
  }
}

type Verdict =
  | { kind: "stale" }
  | { kind: "self"; holder: Holder }
  | { kind: "alive"; holder: Holder }
  | { kind: "remote"; holder: Holder; ageMs: number };

function judge(lockPath: string, me: Holder, staleAfterMs: number): Verdict {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(lockPath, "utf8");
    mtimeMs = fs.statSync(lockPath).mtimeMs;
  } catch {
    return { kind: "stale" }; // gone meanwhile: try again
  }
  const holder = parseHolder(text);
  if (!holder) return { kind: "stale" };
  const sameView = holder.host === me.host && holder.boot === me.boot && holder.pidns === me.pidns;
  if (sameView) {
    // Same kernel, same PID namespace: the pid with its start time names exactly one process.
    const alive = isAlive(holder.pid) && (holder.start === undefined || startTime(holder.pid) === holder.start);
    // A bare pid (an earlier version's lock) equal to ours was never written by this process.
    if (!alive || (holder.pid === process.pid && holder.start !== me.start)) return { kind: "stale" };
    return holder.pid === process.pid ? { kind: "self", holder } : { kind: "alive", holder };
  }
  const ageMs = Date.now() - mtimeMs;
  return ageMs > staleAfterMs ? { kind: "stale" } : { kind: "remote", holder, ageMs };
}

/** A lock written by an earlier version holds a bare pid; anything else unreadable is garbage. */
function parseHolder(text: string): Holder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), ...viewOf() };
  try {
    const parsed = JSON.parse(trimmed) as Partial<Holder>;
    return Number.isInteger(parsed.pid) && parsed.pid! > 0 ? (parsed as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function holdLock(lockPath: string, me: Holder, heartbeatMs: number): () => void {
  const heartbeat = new Worker(
    `const fs = require("node:fs"); const { workerData } = require("node:worker_threads");
     setInterval(() => { try { const t = new Date(); fs.utimesSync(workerData.path, t, t); } catch {} }, workerData.every);`,
    { eval: true, workerData: { path: lockPath, every: heartbeatMs } },
  );
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    void heartbeat.terminate();
    process.removeListener("exit", release);
    try {
      const holder = parseHolder(fs.readFileSync(lockPath, "utf8"));
      if (holder?.pid === me.pid && holder.start === me.start) fs.unlinkSync(lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.once("exit", release);
  return release;
}

function currentHolder(): Holder {
  return { pid: process.pid, start: startTime(process.pid), ...viewOf() };
}

/** Where this process stands: the host, the boot and the PID namespace (Linux; undefined elsewhere). */
function viewOf(): Pick<Holder, "boot" | "pidns" | "host"> {
  return { host: os.hostname(), boot: readOrUndefined("/proc/sys/kernel/random/boot_id"), pidns: linkOrUndefined("/proc/self/ns/pid") };
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. The command name (field 2) may hold spaces. */
function startTime(pid: number): string | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

function linkOrUndefined(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
