import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { requestBackup, serveBackups } from "./backup";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-backup-"));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function restoredRows(tarball: Buffer): Promise<number[]> {
  const copy = new PGlite(path.join(tempDir(), "db"), { loadDataDir: new Blob([new Uint8Array(tarball)]) });
  const { rows } = await copy.query<{ x: number }>("select x from t order by x");
  await copy.close();
  return rows.map((row) => row.x);
}

describe("backups of a running PGlite over its socket", () => {
  it("holds exactly the committed transactions: it waits for an open one, and has none of a rolled-back one", async () => {
    const dataDir = tempDir();
    const client = new PGlite(path.join(dataDir, "db"));
    const stop = serveBackups(dataDir, client);
    cleanups.push(async () => {
      await stop();
      await client.close();
    });
    expect(fs.statSync(path.join(dataDir, "backup.sock")).mode & 0o777).toBe(0o600);
    await client.exec("create table t (x int); insert into t values (1)");
    await client.transaction(async (tx) => {
      await tx.query("insert into t values (99)");
      await tx.rollback();
    });

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let committed = false;
    const open = client.transaction(async (tx) => {
      await tx.query("insert into t values (2)");
      await held;
      await tx.query("insert into t values (3)");
      committed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const backup = requestBackup(dataDir);
    setTimeout(release, 300);
    const tarball = await backup;
    await open;
    expect(committed).toBe(true);
    expect(tarball).not.toBeNull();
    expect(await restoredRows(tarball!)).toEqual([1, 2, 3]);
  }, 60_000);

  it("answers null when no server listens, even over a socket file a killed server left", async () => {
    const dataDir = tempDir();
    expect(await requestBackup(dataDir)).toBeNull();
    fs.writeFileSync(path.join(dataDir, "backup.sock"), "");
    await expect(requestBackup(dataDir)).resolves.toBeNull();
  });
});
