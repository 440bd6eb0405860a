/**
 * A consistent copy of the embedded database (PGlite in $TESSERA_DATA_DIR/db), running or not:
 *
 *   npm run backup -- [--out FILE]        (default ./tessera-backup-<UTC time>.tar.gz)
 *
 * A running server holds the folder, so it makes the copy itself, asked over the Unix socket
 * in its data folder (lib/db/backup.ts); with no server, this process opens the folder (taking
 * its lock) and makes it. The file is PGlite's data-folder tarball; `npm run restore` reads it.
 * It holds ciphertexts, not the key that opens them: keep TESSERA_SECRET (or the development
 * key file) safe beside it, not in it. PostgreSQL: use pg_dump (README, "Backups").
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { config } from "@/lib/config";
import { dumpDatabase, requestBackup } from "@/lib/db/backup";
import { acquireDataDirLock } from "@/lib/db/pglite-lock";

const { values } = parseArgs({ options: { out: { type: "string" } } });

function fail(message: string): never {
  console.error(`Backup failed: ${message}`);
  process.exit(1);
}

if (config.databaseUrl) fail("DATABASE_URL is set: back up a PostgreSQL server with pg_dump (README, \"Backups\").");
const dataDir = config.dataDir;
const dbDir = path.join(dataDir, "db");
if (!fs.existsSync(path.join(dbDir, "PG_VERSION"))) fail(`there is no database in ${dbDir} (TESSERA_DATA_DIR is ${dataDir}).`);
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const out = path.resolve(values.out ?? `tessera-backup-${stamp}.tar.gz`);

const started = Date.now();
let bytes: Buffer | null = null;
let from = "the running server";
try {
  bytes = await requestBackup(dataDir);
} catch (error) {
  fail(`the server holding ${dataDir} did not answer on its backup socket: ${(error as Error).message}`);
}
if (!bytes) {
  from = "the folder (no server was running)";
  let release: () => void;
  try {
    release = acquireDataDirLock(dbDir);
  } catch (error) {
    fail(`${(error as Error).message} It does not answer on ${path.join(dataDir, "backup.sock")} (a server older than this script?): stop it and run the backup again.`);
  }
  try {
    const client = new PGlite(dbDir);
    bytes = await dumpDatabase(client);
    await client.close();
  } finally {
    release();
  }
}
// Written next to its final name, then renamed: a half-written file never looks like a backup.
const partial = `${out}.partial`;
fs.writeFileSync(partial, bytes, { mode: 0o600 });
fs.renameSync(partial, out);
console.log(`Backed up ${dbDir} from ${from} to ${out} (${(bytes.length / 1024 / 1024).toFixed(1)} MiB) in ${Date.now() - started} ms.`);
