import fs from "node:fs";

/**
 * PGlite has no cross-process lock, and two processes on one data folder silently lose
 * committed rows. Before opening it, a process takes `<folder>.lock` (its pid inside); a
 * lock whose pid is dead is stale and taken over. Returns the release function.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (fs.readFileSync(lockPath, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(readOrEmpty(lockPath), 10);
    if (holder === process.pid) {
      throw new Error(`The database folder ${dataDir} is already open in this process.`);
    }
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new Error(
        `The database folder ${dataDir} is in use by another process (pid ${holder}). ` +
          `Stop that process, or give this one its own folder with TESSERA_DATA_DIR. ` +
          `If no such process is running, delete ${lockPath}.`,
      );
    }
    fs.rmSync(lockPath, { force: true }); // stale: its process is gone
  }
  throw new Error(`Could not take the lock ${lockPath}; another process keeps taking it.`);
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return "";
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
