/**
 * Server time of the members page's data (listTeamMembers) on a team of N members:
 *
 *   npm run bench:members -- [--members 10000] [--runs 20] [--db both|pglite|postgres]
 *
 * PGlite runs in a fresh data folder under the OS temp dir (as `npm run dev` would, on disk);
 * PostgreSQL in a database created on BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test)
 * and dropped afterwards. Each case runs 3 times to warm up, then --runs times; the median and
 * the 95th percentile are printed, with the plan's row count as a sanity check.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { closeDatabase, prepareDatabase } from "@/lib/db";
import { listTeamMembers, type MemberQuery } from "@/lib/teams/members";
import { seedTeam } from "../scripts/seed";

const CASES: [string, MemberQuery][] = [
  ["first page", {}],
  ["filtered search (missing + \"son\")", { status: "missing", q: "son" }],
  ["sort by last sign-in", { sort: "last_sign_in" }],
  ["page 100", { page: 100 }],
];

type Row = { db: string; case: string; median: number; p95: number; rows: number; total: number };

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function run(label: string, members: number, runs: number): Promise<Row[]> {
  await prepareDatabase();
  const seedStarted = performance.now();
  const { teamId } = await seedTeam({ members, teamName: "Bench Corp" });
  console.log(`${label}: seeded ${members.toLocaleString("en-US")} members in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const results: Row[] = [];
  for (const [name, query] of CASES) {
    for (let i = 0; i < 3; i += 1) await listTeamMembers(teamId, query);
    const times: number[] = [];
    let last = await listTeamMembers(teamId, query);
    for (let i = 0; i < runs; i += 1) {
      const started = performance.now();
      last = await listTeamMembers(teamId, query);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results.push({ db: label, case: name, median: percentile(times, 50), p95: percentile(times, 95), rows: last.rows.length, total: last.total });
  }
  return results;
}

async function main() {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "10000" },
      runs: { type: "string", default: "20" },
      db: { type: "string", default: "both" },
    },
  });
  const members = Number(values.members);
  const runs = Math.max(1, Number(values.runs));
  const results: Row[] = [];

  if (values.db === "both" || values.db === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-bench-members-"));
    delete process.env.DATABASE_URL;
    process.env.TESSERA_DATA_DIR = dir;
    try {
      results.push(...(await run("PGlite", members, runs)));
    } finally {
      await closeDatabase();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (values.db === "both" || values.db === "postgres") {
    const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const name = "tessera_bench_members";
    const admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    process.env.DATABASE_URL = url.toString();
    try {
      results.push(...(await run("PostgreSQL", members, runs)));
    } finally {
      await closeDatabase();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }

  console.log("");
  console.log(`listTeamMembers, ${members.toLocaleString("en-US")} members, ${runs} runs each (ms)`);
  console.table(results.map((r) => ({ db: r.db, case: r.case, median: r.median.toFixed(1), p95: r.p95.toFixed(1), rows: r.rows, matching: r.total })));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
