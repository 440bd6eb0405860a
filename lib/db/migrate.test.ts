import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from ".";
import { connect } from "./client";
import { migrate } from "./migrate";

const migrationCount = fs.readdirSync(path.join(process.cwd(), "drizzle")).filter((f) => f.endsWith(".sql")).length;
const onPostgres = process.env.DATABASE_URL?.startsWith("postgres");

describe("migrations", () => {
  it("have been applied once each, and a second run changes nothing", async () => {
    const before = await db().execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(rowsOf(before)[0]).toEqual({ n: migrationCount });
  });

  it.runIf(onPostgres)("run exactly once when several processes start together against one server", async () => {
    // A fresh database on the same server, migrated by 5 independent connections at once —
    // what 5 app processes starting together do.
    const admin = connect(process.env.DATABASE_URL);
    const name = `tessera_migrate_${Date.now().toString(36)}`;
    await admin.db.execute(sql.raw(`create database ${name}`));
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const connections = Array.from({ length: 5 }, () => connect(url.toString()));
    try {
      await Promise.all(connections.map((c) => migrate(c, url.toString())));
      const applied = await connections[0]!.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(rowsOf(applied)[0]).toEqual({ n: migrationCount });
    } finally {
      await Promise.all(connections.map((c) => c.close()));
      await admin.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
      await admin.close();
    }
  });
});

function rowsOf(result: unknown): unknown[] {
  return Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
}
