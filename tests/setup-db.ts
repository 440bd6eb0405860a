import { randomBytes } from "node:crypto";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach } from "vitest";

/**
 * Each test file gets a database of its own: an in-memory PGlite by default, or, when
 * DATABASE_URL names a PostgreSQL server (npm run test:pg), a new database on it that is
 * dropped afterwards. Tables are emptied before every test.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
let databaseName: string | undefined;

process.env.TESSERA_SECRET ??= "test-secret-that-is-at-least-32-characters";

if (serverUrl) {
  databaseName = `tessera_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${databaseName}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${databaseName}`;
  process.env.DATABASE_URL = url.toString();
} else {
  process.env.DATABASE_URL = "memory://";
}

const { closeDatabase, db, prepareDatabase } = await import("@/lib/db");
const schema = await import("@/lib/db/schema");
const tables = Object.values(schema)
  .filter((value) => is(value, PgTable))
  .map((table) => `"${getTableName(table as PgTable)}"`)
  .join(", ");

beforeAll(async () => {
  const started = performance.now();
  await prepareDatabase();
  if (process.env.TESSERA_REPORT_DB_TIME) console.log(`fresh database ready in ${Math.round(performance.now() - started)} ms`);
});

beforeEach(async () => {
  await db().execute(sql.raw(`truncate ${tables} restart identity cascade`));
});

afterAll(async () => {
  await closeDatabase();
  if (serverUrl && databaseName) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
    await admin.end();
  }
});
