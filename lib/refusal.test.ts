import { describe, expect, expectTypeOf, it } from "vitest";
import { defineErrorCodes, type CodeOf, type Refusal } from "./refusal";

const ERRORS = defineErrorCodes({
  FORBIDDEN: "Only an owner can do that.",
  WAIT: ({ retryAfterSeconds }: { retryAfterSeconds?: number }) => `Try again in ${retryAfterSeconds ?? 60} seconds.`,
  TEAM: ({ team }: { team: string }) => `${team} says no.`,
});

describe("defineErrorCodes", () => {
  it("builds a refusal with the code and its message", () => {
    expect(ERRORS.refuse("FORBIDDEN")).toEqual({ ok: false, code: "FORBIDDEN", message: "Only an owner can do that." });
  });

  it("keeps the field and the wait on the refusal, and lets the rest of the detail shape only the words", () => {
    expect(ERRORS.refuse("WAIT", { retryAfterSeconds: 7 })).toEqual({ ok: false, code: "WAIT", message: "Try again in 7 seconds.", retryAfterSeconds: 7 });
    expect(ERRORS.refuse("TEAM", { team: "Acme", field: "to" })).toEqual({ ok: false, code: "TEAM", message: "Acme says no.", field: "to" });
    expect(ERRORS.message("WAIT")).toBe("Try again in 60 seconds.");
  });

  it("lists its codes and types them", () => {
    expect(ERRORS.codes).toEqual(["FORBIDDEN", "WAIT", "TEAM"]);
    expectTypeOf<CodeOf<typeof ERRORS>>().toEqualTypeOf<"FORBIDDEN" | "WAIT" | "TEAM">();
    expectTypeOf(ERRORS.refuse("FORBIDDEN")).toEqualTypeOf<Refusal<"FORBIDDEN">>();
  });
});
