import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = process.cwd();
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

/** Where the server, its start script and its tools read the environment (their tests excluded: they stub it). */
const SOURCES = ["lib", "app", "scripts", "proxy.ts", "instrumentation.ts"];
/** Set by Next.js itself, never by an operator. */
const SET_BY_NEXT = new Set(["NEXT_RUNTIME"]);

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (fs.statSync(full).isFile()) return [entry];
  return fs
    .readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|tsx|mjs|js)$/.test(file) && !/\.test\.tsx?$/.test(file))
    .map((file) => path.join(entry, file));
}

/** `process.env.NAME`, `process.env["NAME"]`, and lib/config.ts's `wholeNumber("NAME", …)`. */
function variablesIn(text: string): string[] {
  const patterns = [/process\.env\.([A-Z][A-Z0-9_]*)/g, /process\.env\[["']([A-Z][A-Z0-9_]*)["']\]/g, /wholeNumber\(\s*"([A-Z][A-Z0-9_]*)"/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

const readAnywhere = [...new Set(SOURCES.flatMap(sourceFiles).flatMap((file) => variablesIn(read(file))))].filter((name) => !SET_BY_NEXT.has(name)).sort();
const readByConfig = [...new Set(variablesIn(read("lib/config.ts")))].sort();

/** `NAME=` lines, commented or not. */
const inEnvExample = new Set([...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]!));

/** The variables named in the first column of README's Configuration table. */
function inReadmeTable(): Set<string> {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1));
  const names = section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
  return new Set(names);
}

describe("every environment variable is documented", () => {
  it("finds the variables it checks (the scan itself works)", () => {
    expect(readAnywhere).toEqual(expect.arrayContaining(["DATABASE_URL", "TESSERA_SECRET", "TESSERA_SECRET_PREVIOUS", "MESSAGE_TIMEOUT_MS", "PORT"]));
    expect(readByConfig.length).toBeGreaterThan(20);
  });

  it("in .env.example: each one the server, its start script or its tools read", () => {
    expect(readAnywhere.filter((name) => !inEnvExample.has(name))).toEqual([]);
  });

  it("in README's Configuration table: each one lib/config.ts reads", () => {
    const table = inReadmeTable();
    expect(readByConfig.filter((name) => !table.has(name))).toEqual([]);
  });

  it("read only through lib/config.ts, but for what runs before it or outside TypeScript (its header says which)", () => {
    const before = new Set(["instrumentation.ts: NEXT_RUNTIME"]);
    const elsewhere = SOURCES.flatMap(sourceFiles)
      // Plain Node (scripts/server.mjs, scripts/test-pg.mjs) cannot import a TypeScript module.
      .filter((file) => file !== path.join("lib", "config.ts") && !file.endsWith(".mjs"))
      .flatMap((file) => variablesIn(read(file)).map((name) => `${file}: ${name}`))
      .filter((read) => !before.has(read));
    expect(elsewhere).toEqual([]);
  });
});
