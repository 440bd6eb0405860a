import "server-only";

/**
 * "The database cannot answer now" as opposed to "this request is wrong" or "our code is
 * wrong": the first is worth a 503 with Retry-After (a load balancer or client retries and
 * succeeds once PostgreSQL is back), the others are not.
 *
 * Unavailable: the connection could not be made or was lost (refused, reset, timed out,
 * closed, DNS), SQLSTATE class 08 (connection exception), 57P01–57P03 (the server is shutting
 * down, crashed or still starting), 53300 (too many connections) and 57014 (our
 * statement_timeout fired: the server is too busy or a lock is held — waiting helps, a bug
 * would not have waited). Deadlocks and serialization failures (40xxx) are not: they mean
 * two of our own statements collided, which is a bug to fix, not an outage.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  // postgres.js's own codes (node_modules/postgres/src/connection.js)
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
]);
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "57014"]);

/** What the API and the health check tell clients to wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Whether `error`, or one of its causes (drizzle wraps the driver's error), says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    if (CONNECTION_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
