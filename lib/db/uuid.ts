import "server-only";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value can be compared with a uuid column: PostgreSQL throws on a malformed uuid,
 * so ids from URLs, forms and providers are checked first and answered as "not found".
 */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}
