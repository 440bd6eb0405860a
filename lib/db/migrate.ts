import "server-only";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { postgresOptions, type Connection } from "./client";

const migrationsFolder = path.join(process.cwd(), "drizzle");
/** An arbitrary constant that names "Tessera's migrations" among advisory locks. */
const MIGRATION_LOCK = 7_301_985_412;

/**
 * Applies pending migrations. drizzle's migrator takes no lock, so app processes starting
 * together against one PostgreSQL would race; a session-level advisory lock, held on a
 * dedicated single connection, lets exactly one of them migrate while the others wait.
 */
export async function migrate(connection: Connection, url?: string): Promise<void> {
  if (connection.kind === "pglite") {
    // One process owns a PGlite folder (see pglite-lock.ts): nothing to race with.
    await migratePglite(connection.db as Parameters<typeof migratePglite>[0], { migrationsFolder });
    return;
  }
  if (!url) throw new Error("migrate(): a PostgreSQL connection needs its URL");
  // No statement timeout: a migration (an index on a big table) may rightly take minutes.
  const client = postgres(url, postgresOptions({ max: 1, statementTimeout: false }));
  try {
    const db = drizzlePostgres({ client });
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      await migratePostgres(db, { migrationsFolder });
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    await client.end();
  }
}
