/**
 * Restores a backup made by `npm run backup` into the embedded database's folder:
 *
 *   npm run restore -- FILE [--force]
 *
 * into $TESSERA_DATA_DIR/db. It refuses while a server holds the folder (its lock), and it
 * refuses a folder that already has a database unless --force, which moves that database
 * aside (db.before-restore-<time>) rather than deleting it. The server that then starts on
 * the folder needs the same TESSERA_SECRET (or development key) the backup was made with.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { config } from "@/lib/config";
import { acquireDataDirLock } from "@/lib/db/pglite-lock";

const { values, positionals } = parseArgs({ options: { force: { type: "boolean", default: false } }, allowPositionals: true });

function fail(message: string): never {
  console.error(`Restore refused: ${message}`);
  process.exit(1);
}

if (config.databaseUrl) fail("DATABASE_URL is set: restore a PostgreSQL server with pg_restore (README, \"Backups\").");
const file = positionals[0];
if (!file) fail("name the backup file: npm run restore -- FILE [--force]");
if (!fs.existsSync(file)) fail(`there is no file ${path.resolve(file)}.`);
const dataDir = config.dataDir;
const dbDir = path.join(dataDir, "db");
fs.mkdirSync(dataDir, { recursive: true });

let release: () => void;
try {
  release = acquireDataDirLock(dbDir);
} catch (error) {
  fail(`${(error as Error).message} Stop the server before restoring into its folder.`);
}
try {
  const existing = fs.existsSync(dbDir) ? fs.readdirSync(dbDir) : [];
  if (existing.length > 0) {
    if (!values.force) fail(`${dbDir} already holds a database. Restore into an empty TESSERA_DATA_DIR, or add --force to move this one aside first.`);
    const aside = `${dbDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(dbDir, aside);
    console.log(`Moved the database that was there to ${aside}.`);
  }
  const client = new PGlite(dbDir, { loadDataDir: new Blob([fs.readFileSync(file)]) });
  const { rows } = await client.query<{ teams: number; users: number }>("select (select count(*) from teams)::int as teams, (select count(*) from users)::int as users");
  await client.close();
  console.log(`Restored ${path.resolve(file)} into ${dbDir}: ${rows[0]!.teams} team(s), ${rows[0]!.users} user(s). Start the server with the TESSERA_SECRET the backup was made with.`);
} finally {
  release();
}
