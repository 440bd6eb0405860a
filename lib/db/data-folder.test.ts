import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { checkDataFolder, dataFolderProblem, MIN_FREE_BYTES } from "./data-folder";

/**
 * Real disks, not mocked errors: a read-only tmpfs and a full one, mounted for the test. This
 * needs root (CI and these machines run as root, where chmod does not stop writes); elsewhere
 * the mount tests are skipped and only the permission one runs.
 */
const mounts: string[] = [];
function mountTmpfs(options: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-disk-"));
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  if (result.status !== 0) throw new Error(`mount failed: ${result.stderr}`);
  mounts.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of mounts.splice(0)) {
    spawnSync("umount", ["-l", dir]); // lazy: a failed PGlite may keep files open
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-disk-"));
  const ok = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).status === 0;
  if (ok) spawnSync("umount", ["-l", dir]); // lazy: a failed PGlite may keep files open
  fs.rmSync(dir, { recursive: true, force: true });
  return ok;
})();

describe("data folder checks at start", () => {
  it("passes a writable folder with room, creating it", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tessera-ok-")), "a", "data");
    checkDataFolder(dir);
    expect(fs.readdirSync(dir)).toEqual([]); // the probe is gone
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true });
  });

  it.skipIf(!canMount)("names a read-only folder and what to do", () => {
    const disk = mountTmpfs("ro,size=1m");
    for (const dir of [disk, path.join(disk, "data")]) {
      expect(() => checkDataFolder(dir)).toThrow(
        `The data folder ${dir} is on a read-only file system (EROFS). Tessera keeps its database there and must write to it: mount the volume read-write, or set TESSERA_DATA_DIR to a writable folder.`,
      );
    }
  });

  it.skipIf(!canMount)("names a full disk, with what is left, before anything is written", () => {
    const disk = mountTmpfs("size=1m");
    const dir = path.join(disk, "data");
    expect(() => checkDataFolder(dir)).toThrow(new RegExp(`^The disk of the data folder ${dir} is full \\(\\d+ [KM]iB free\\)\\. The database needs at least 32 MiB free`));
    // A disk with room but not enough for the database.
    const roomy = mountTmpfs("size=8m");
    expect(() => checkDataFolder(roomy)).toThrow(/is full \(\d+ MiB free\)/);
    // Truly full: the probe write itself fails with ENOSPC, and is said the same way.
    fs.writeFileSync(path.join(disk, "filler"), Buffer.alloc(1024 * 1024 - 4096));
    expect(() => checkDataFolder(path.join(disk, "other"), 0)).toThrow(/is full/);
    expect(MIN_FREE_BYTES).toBe(32 * 1024 * 1024);
  });

  it.skipIf(!canMount)("reads PGlite's own error on a disk that fills while it writes as a full disk", async () => {
    const disk = mountTmpfs("size=3m");
    let error: unknown;
    try {
      const client = new PGlite(path.join(disk, "db"));
      await client.exec("create table t (x text)");
      await client.close();
    } catch (caught) {
      error = caught;
    }
    expect(error, "PGlite filled a 3 MB disk").toBeDefined();
    expect(dataFolderProblem(error, disk)).toMatch(new RegExp(`^The disk of the data folder ${disk} is full`));
  });
});
