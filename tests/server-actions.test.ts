import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { madeByActionHelper } from "@/lib/auth/action";

// Importing an action module needs Next's request context only when an action runs; none runs here.
vi.mock("next/headers", () => ({ headers: async () => new Headers(), cookies: async () => ({ get: () => undefined }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next/server", () => ({ after: () => {} }));
vi.mock("next/navigation", () => ({ redirect: () => {} }));

const APP = path.resolve(import.meta.dirname, "../app");
const SOURCE = /\.(ts|tsx)$/;
// The directive as a module's first statement (after comments), which makes every export a server action.
const MODULE_DIRECTIVE = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/;

const sources = readdirSync(APP, { recursive: true, encoding: "utf8" })
  .filter((file) => SOURCE.test(file))
  .map((file) => ({ file, text: readFileSync(path.join(APP, file), "utf8") }));
const actionModules = sources.filter(({ text }) => MODULE_DIRECTIVE.test(text)).map(({ file }) => file);

describe("every server action goes through lib/auth/action.ts", () => {
  it("finds the action modules", () => {
    expect(actionModules.length).toBeGreaterThanOrEqual(14);
  });

  it("has no inline server action (a function with its own \"use server\"): it would bypass the helper", () => {
    const inline = sources.filter(({ file, text }) => !actionModules.includes(file) && /["']use server["']/.test(text)).map(({ file }) => file);
    expect(inline).toEqual([]);
  });

  it.each(actionModules)("app/%s exports only actions made by the helper", async (file) => {
    const exports: Record<string, unknown> = await import(path.join(APP, file));
    const unwrapped = Object.entries(exports)
      .filter(([, value]) => typeof value !== "function" || !madeByActionHelper.has(value))
      .map(([name]) => name);
    expect(Object.keys(exports).length).toBeGreaterThan(0);
    expect(unwrapped).toEqual([]);
  });
});
