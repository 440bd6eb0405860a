import "server-only";
import { config } from "@/lib/config";
import { connect, type Connection, type Db } from "./client";
import { migrate } from "./migrate";

export type { Db, Executor, Tx } from "./client";

type State = { connection?: Connection; ready?: Promise<void>; close?: () => Promise<void> };
// On globalThis: Next bundles instrumentation, pages and routes separately, and dev reloads
// modules; all of them must share one connection (and one PGlite lock) per process.
// scripts/server.mjs, outside Next's bundles, calls `close` once a shutdown has drained.
const state: State = ((globalThis as { __tesseraDb?: State }).__tesseraDb ??= {});

/** The process's database, opened on first use (never at build time). */
export function db(): Db {
  state.connection ??= connect();
  return state.connection.db;
}

/** Opens the database and applies pending migrations, once per process. */
export function prepareDatabase(): Promise<void> {
  state.ready ??= (async () => {
    db();
    await migrate(state.connection!, config.databaseUrl);
  })();
  return state.ready;
}

/** Closes the process's database: PGlite flushes and releases its folder lock; a pool ends its connections. */
export async function closeDatabase(): Promise<void> {
  const connection = state.connection;
  state.connection = undefined;
  state.ready = undefined;
  await connection?.close();
}

state.close = closeDatabase;
