import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { config } from "@/lib/config";
import { log } from "@/lib/log";
import { serveBackups } from "./backup";
import { acquireDataDirLock } from "./pglite-lock";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: domain functions accept both. */
export type Executor = Db | Tx;

export type Connection = { db: Db; kind: "pglite" | "postgres"; close: () => Promise<void> };

/** `DATABASE_URL=memory://` is an in-memory PGlite (tests); unset, PGlite in the data folder. */
export function connect(url = config.databaseUrl): Connection {
  if (url?.startsWith("postgres://") || url?.startsWith("postgresql://")) {
    const client = postgres(url, { max: 10, onnotice: () => {} });
    return { db: drizzlePostgres({ client, schema }), kind: "postgres", close: () => client.end() };
  }
  if (url === "memory://") {
    const client = new PGlite();
    return { db: drizzlePglite({ client, schema }), kind: "pglite", close: () => client.close() };
  }
  if (url) throw new Error("DATABASE_URL must start with postgres:// or postgresql://");

  const dir = path.join(config.dataDir, "db");
  fs.mkdirSync(dir, { recursive: true });
  const release = acquireDataDirLock(dir, { log: (message) => log.warn("db.lock_wait", { message }) });
  try {
    const client = new PGlite(dir);
    const stopBackups = serveBackups(config.dataDir, client);
    return {
      db: drizzlePglite({ client, schema }),
      kind: "pglite",
      close: async () => {
        await stopBackups();
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
