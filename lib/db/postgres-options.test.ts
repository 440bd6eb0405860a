import { afterEach, describe, expect, it, vi } from "vitest";
import { postgresOptions } from "./client";

afterEach(() => vi.unstubAllEnvs());

describe("postgresOptions", () => {
  it("bounds connecting, every statement and the reconnect wait by default", () => {
    const options = postgresOptions();
    expect(options).toMatchObject({ max: 10, prepare: true, connect_timeout: 5, connection: { statement_timeout: 10_000 } });
    const backoff = options.backoff as (retries: number) => number;
    // postgres.js's own grows to 20 s, and queued queries wait with it.
    expect(Math.max(...Array.from({ length: 30 }, (_, retries) => backoff(retries)))).toBeLessThanOrEqual(0.5);
  });

  it("takes the pool size, prepare and timeouts from the environment; 0 sends no statement timeout", () => {
    vi.stubEnv("TESSERA_DB_POOL_SIZE", "3");
    vi.stubEnv("TESSERA_DB_PREPARE", "false");
    vi.stubEnv("TESSERA_DB_CONNECT_TIMEOUT_MS", "1500");
    vi.stubEnv("TESSERA_DB_STATEMENT_TIMEOUT_MS", "0");
    const options = postgresOptions();
    expect(options).toMatchObject({ max: 3, prepare: false, connect_timeout: 1.5 });
    expect(options.connection).toBeUndefined();
  });

  it("stops with the reason on a value it cannot use", () => {
    vi.stubEnv("TESSERA_DB_PREPARE", "sometimes");
    expect(() => postgresOptions()).toThrow('TESSERA_DB_PREPARE must be true or false; it is "sometimes".');
    vi.stubEnv("TESSERA_DB_PREPARE", "");
    vi.stubEnv("TESSERA_DB_POOL_SIZE", "0");
    expect(() => postgresOptions()).toThrow("TESSERA_DB_POOL_SIZE must be a whole number of connections from 1 to 1000");
  });

  it("gives migrations no statement timeout: an index on a big table may take minutes", () => {
    expect(postgresOptions({ max: 1, statementTimeout: false })).toMatchObject({ max: 1 });
    expect(postgresOptions({ max: 1, statementTimeout: false }).connection).toBeUndefined();
  });
});
