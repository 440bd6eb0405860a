import { defineConfig } from "drizzle-kit";

// drizzle-kit only generates SQL from the schema here; it never opens the app's database
// (two processes on one PGlite folder corrupt it), so no credentials are needed.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
});
