import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = process.cwd();
const DOCS = ["docs/ARCHITECTURE.md", "README.md"];
const TOP = ["app", "components", "lib", "tests", "e2e", "scripts", "drizzle", "bench", "docs", "public"];

/**
 * Paths a page names in backticks or plainly, as `lib/factors/registry.ts` or `components/ui/`.
 * Braces list several names in one folder (`lib/db/{client,schema}.ts`) and are expanded.
 */
function namedPaths(text: string): string[] {
  const found = new Set<string>();
  const pattern = new RegExp(`(?<![\\w./-])((?:${TOP.join("|")})/[\\w.()\\[\\]{},@/-]*[\\w)\\]}/])`, "g");
  for (const [, raw] of text.matchAll(pattern)) {
    for (const candidate of expand(balanced(raw!))) found.add(candidate.replace(/[.,]+$/, ""));
  }
  return [...found];
}

/** `(see lib/log.ts)`: the closing parenthesis is the sentence's, not the path's (route groups keep theirs). */
function balanced(raw: string): string {
  let path = raw;
  while (path.endsWith(")") && (path.match(/\)/g) ?? []).length > (path.match(/\(/g) ?? []).length) path = path.slice(0, -1);
  return path;
}

function expand(raw: string): string[] {
  const brace = /\{([^{}]*)\}/.exec(raw);
  if (!brace) return [raw];
  return brace[1]!.split(",").flatMap((part) => expand(raw.slice(0, brace.index) + part + raw.slice(brace.index + brace[0].length)));
}

/** A named file may leave off its extension, and `…/` names a folder. */
function exists(named: string): boolean {
  const full = path.join(root, named);
  return [full, `${full}.ts`, `${full}.tsx`].some((p) => fs.existsSync(p));
}

describe.each(DOCS)("%s", (doc) => {
  const text = fs.readFileSync(path.join(root, doc), "utf8");

  it("names only files and folders that exist", () => {
    const missing = namedPaths(text).filter((named) => !exists(named) && !named.startsWith("e2e/results"));
    expect(missing).toEqual([]);
  });

  it("points at nothing outside the repository", () => {
    expect(text.match(/\.\.\/[\w.-]+/g) ?? []).toEqual([]);
  });
});
