import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable";

const coded = (code: string) => Object.assign(new Error(code), { code });
const wrapped = (code: string) => new DrizzleQueryError("select 1", [], coded(code));

describe("isDatabaseUnavailable", () => {
  it("is true for a lost or refused connection, a server shutting down or starting, and our statement timeout, however wrapped", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "08006", "08P01", "57P01", "57P03", "53300", "57014"]) {
      expect(isDatabaseUnavailable(coded(code)), code).toBe(true);
      expect(isDatabaseUnavailable(wrapped(code)), `wrapped ${code}`).toBe(true);
    }
  });

  it("is false for our own bugs and conflicts: those are 500s to fix, not outages to wait out", () => {
    for (const code of ["23505", "40P01", "40001", "42P01", "22P02"]) expect(isDatabaseUnavailable(wrapped(code)), code).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
  });
});
