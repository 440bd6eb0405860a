import "server-only";
import type { DrizzleQueryError } from "drizzle-orm";
import { PgPreparedQuery } from "drizzle-orm/pg-core";

/**
 * drizzle-orm 0.45 wraps every failed query in a DrizzleQueryError whose message (and so
 * its stack) ends in `params: …` — recipients, API-key hashes, codes' HMACs — and whose
 * `params` property holds them too. Whoever prints the error then leaks them: our logger
 * strips them, but Next prints unhandled errors of pages, route handlers and actions itself
 * (console.error → util.inspect: message, stack, own properties and the cause's), and
 * `onRequestError` cannot stop that. So the error is made safe where it is made: the one
 * method every drizzle PostgreSQL driver throws it from (pg-core/session.js
 * `queryWithCache`) rethrows it without the parameters, keeping the SQL (placeholders only)
 * and the driver's error as `cause` — its code and message are what diagnose a failure.
 * The cause's `detail` ("Key (email)=(…) already exists") and the values its driver keeps on
 * it (PGlite's `params`, postgres.js's `parameters` in debug mode) stay readable to code but
 * are made non-enumerable, so inspection does not print them.
 */
type Patched = { queryWithCache: (...args: unknown[]) => Promise<unknown>; __tesseraSafeErrors?: true };

export function withoutParameters(error: DrizzleQueryError): DrizzleQueryError {
  const message = `Failed query: ${error.query}`;
  const frames = error.stack?.indexOf("\n    at ") ?? -1;
  error.message = message;
  error.stack = `${error.name}: ${message}${frames === -1 ? "" : error.stack!.slice(frames)}`;
  delete (error as { params?: unknown }).params;
  hideDetail(error.cause);
  return error;
}

function hideDetail(cause: unknown): void {
  if (!(cause instanceof Error)) return;
  for (const key of ["detail", "where", "params", "parameters", "args", "queryOptions"]) {
    if (Object.prototype.propertyIsEnumerable.call(cause, key)) Object.defineProperty(cause, key, { enumerable: false });
  }
}

const isQueryError = (error: unknown): error is DrizzleQueryError =>
  error instanceof Error && typeof (error as { query?: unknown }).query === "string" && "params" in error && error.message.startsWith("Failed query: ");

/** Idempotent; throws at start if drizzle no longer has the method (an upgrade must not silently bring the leak back). */
export function installSafeQueryErrors(): void {
  const proto = PgPreparedQuery.prototype as unknown as Patched;
  if (proto.__tesseraSafeErrors) return;
  const original = proto.queryWithCache;
  if (typeof original !== "function") throw new Error("drizzle-orm changed: PgPreparedQuery.queryWithCache is gone; see lib/db/query-errors.ts");
  proto.queryWithCache = async function (this: unknown, ...args: unknown[]) {
    try {
      return await original.apply(this, args);
    } catch (error) {
      throw isQueryError(error) ? withoutParameters(error) : error;
    }
  };
  proto.__tesseraSafeErrors = true;
}
