import "server-only";
import fs from "node:fs";
import path from "node:path";

/**
 * A data folder Tessera cannot write (a read-only volume, wrong owner) or that is full must
 * stop the server at start with the folder and what to do — not a stack trace from deep in
 * PGlite or a migration, and not a server that answers 500 to everyone. The embedded
 * database needs ~40 MB when new, and PostgreSQL writes its log in 16 MiB segments: below
 * two segments' worth it would fail on its first checkpoint.
 */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;
/** A write of this size proves more than that a directory entry can be made. */
const PROBE_BYTES = 64 * 1024;

const READ_ONLY = new Set(["EROFS"]);
const NO_PERMISSION = new Set(["EACCES", "EPERM"]);
const FULL = new Set(["ENOSPC", "EDQUOT"]);

/** Creates the folder if needed and proves it writable with room to spare; throws a message that says what to do. */
export function checkDataFolder(dir: string, minFreeBytes = MIN_FREE_BYTES): void {
  try {
    makeFolder(dir);
    const probe = path.join(dir, `.write-check-${process.pid}`);
    try {
      const fd = fs.openSync(probe, "w");
      try {
        // A nearly full disk takes part of a write without an error: only the rest fails.
        const probeBytes = Buffer.alloc(PROBE_BYTES);
        for (let written = 0; written < PROBE_BYTES; ) {
          const n = fs.writeSync(fd, probeBytes, written);
          if (n === 0) throw Object.assign(new Error("No space left on device"), { code: "ENOSPC" });
          written += n;
        }
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      fs.rmSync(probe, { force: true });
    }
  } catch (error) {
    throw new Error(dataFolderProblem(error, dir) ?? `The data folder ${dir} cannot be used: ${(error as Error).message}`, { cause: error });
  }
  const free = freeBytes(dir);
  if (free !== undefined && free < minFreeBytes) throw new Error(fullMessage(dir, free));
}

/** `mkdir -p`, except that Node reports a read-only parent as ENOENT: find the real reason at the first missing level. */
function makeFolder(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeFolder(path.dirname(dir));
  fs.mkdirSync(dir);
}

/**
 * What an error (or one of its causes: drizzle wraps PGlite's) says about the data folder, as
 * a message for the operator; null when it is not about the folder's disk.
 */
export function dataFolderProblem(error: unknown, dir: string): string | null {
  const code = errnoOf(error);
  if (!code) return null;
  if (READ_ONLY.has(code)) {
    return `The data folder ${dir} is on a read-only file system (${code}). Tessera keeps its database there and must write to it: mount the volume read-write, or set TESSERA_DATA_DIR to a writable folder.`;
  }
  if (NO_PERMISSION.has(code)) {
    const who = typeof process.getuid === "function" ? ` (this process runs as uid ${process.getuid()})` : "";
    return `Tessera may not write to the data folder ${dir}${who} (${code}): give this user write access to it (e.g. chown -R), or set TESSERA_DATA_DIR to a folder it owns.`;
  }
  if (FULL.has(code)) return fullMessage(dir, freeBytes(dir));
  return null;
}

function fullMessage(dir: string, free: number | undefined): string {
  const left = free === undefined ? "" : ` (${formatBytes(free)} free)`;
  return (
    `The disk of the data folder ${dir} is full${left}. The database needs at least ${formatBytes(MIN_FREE_BYTES)} free to start: ` +
    `free space on that disk (old backups, logs) or move the folder to a larger one and set TESSERA_DATA_DIR. Nothing was written.`
  );
}

/** Emscripten's errno numbers, which PGlite's file system throws as `ErrnoError { errno }`. */
const EMSCRIPTEN_ERRNO: Record<number, string> = { 2: "EACCES", 19: "EDQUOT", 51: "ENOSPC", 63: "EPERM", 69: "EROFS" };

/** The errno code of the error or of its first cause that has one; PostgreSQL also says it only in words. */
function errnoOf(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 4) return undefined;
  const { name, errno } = error as { name?: unknown; errno?: unknown };
  if (name === "ErrnoError" && typeof errno === "number") return EMSCRIPTEN_ERRNO[errno];
  if (!(error instanceof Error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  if (/No space left on device/i.test(error.message)) return "ENOSPC";
  if (/Read-only file system/i.test(error.message)) return "EROFS";
  if (/Disk quota exceeded/i.test(error.message)) return "EDQUOT";
  return errnoOf(error.cause, depth + 1);
}

function freeBytes(dir: string): number | undefined {
  try {
    const stats = fs.statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / 1024 / 1024)} MiB` : `${Math.floor(bytes / 1024)} KiB`;
}
