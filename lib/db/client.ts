import "server-only";
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
import { installSafeQueryErrors } from "./query-errors";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: domain functions accept both. */
export type Executor = Db | Tx;

export type Connection = { db: Db; kind: "pglite" | "postgres"; close: () => Promise<void> };

installSafeQueryErrors();

/** Idle connections are closed after this long, so a burst's connections do not linger (poolers reap idle ones anyway). */
const IDLE_TIMEOUT_SECONDS = 60;
/**
 * postgres.js waits before reconnecting a pool slot after a failure, 3^n / 100 s growing
 * to 20 s, and a query queued on that slot waits with it: during an outage requests hung
 * up to 17 s before being told anything. Capped at half a second, a request learns at once
 * that the database is down, and the first one after it is back gets through.
 */
const MAX_RECONNECT_DELAY_SECONDS = 0.5;
const reconnectDelay = (retries: number) => Math.min(MAX_RECONNECT_DELAY_SECONDS, 0.05 * 2 ** retries);

/**
 * postgres.js options from lib/config.ts. Without a connect timeout a request waited for
 * the TCP connect (up to 30 s, postgres.js's default) while PostgreSQL was unreachable;
 * without a statement timeout one stuck query held a connection for ever.
 */
export function postgresOptions(overrides: { max?: number; statementTimeout?: boolean } = {}): postgres.Options<Record<string, never>> {
  const { poolSize, prepare, connectTimeoutMs, statementTimeoutMs } = config.postgres;
  const statementTimeout = overrides.statementTimeout !== false && statementTimeoutMs > 0;
  return {
    max: overrides.max ?? poolSize,
    prepare,
    connect_timeout: connectTimeoutMs / 1000,
    idle_timeout: IDLE_TIMEOUT_SECONDS,
    backoff: reconnectDelay,
    onnotice: () => {},
    ...(statementTimeout ? { connection: { statement_timeout: statementTimeoutMs } } : {}),
  };
}

/** `DATABASE_URL=memory://` is an in-memory PGlite (tests); unset, PGlite in the data folder. */
export function connect(url = config.databaseUrl): Connection {
  if (url?.startsWith("postgres://") || url?.startsWith("postgresql://")) {
    const client = postgres(url, postgresOptions());
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
