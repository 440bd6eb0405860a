// Runs the integration suite against a PostgreSQL server: every test file creates its own
// database there (tests/setup-db.ts) and drops it afterwards.
import { spawnSync } from "node:child_process";

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const result = spawnSync("npx", ["vitest", "run", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, TEST_DATABASE_URL: url },
});
process.exit(result.status ?? 1);
