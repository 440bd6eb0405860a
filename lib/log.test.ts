import { DrizzleQueryError } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeError, log } from "./log";

afterEach(() => vi.unstubAllEnvs());

function captured(run: () => void): string {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (chunks.push(String(chunk)), true));
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

const failedQuery = () => {
  const cause = Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
  return new DrizzleQueryError('select "id" from "api_keys" where "hash" = $1', ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "+14155552671"], cause);
};

describe("log", () => {
  it("never writes a query's parameters, and always the cause's code and message", () => {
    vi.stubEnv("NODE_ENV", "production");
    const line = captured(() => log.error("verify_api.request_failed", { path: "/api/v1/verifications" }, failedQuery()));
    expect(line).not.toContain("9f86d081");
    expect(line).not.toContain("4155552671");
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ level: "error", event: "verify_api.request_failed", path: "/api/v1/verifications" });
    expect(parsed.error.message).toBe('Failed query: select "id" from "api_keys" where "hash" = $1');
    expect(parsed.error.cause).toEqual({ name: "Error", code: "57P01", message: "terminating connection due to administrator command" });
  });

  it("masks recipients by field name, readably in development", () => {
    vi.stubEnv("NODE_ENV", "development");
    const line = captured(() => log.warn("messaging.send_failed", { to: "+14155552671", email: "ada@example.com", deliveryId: "d1" }));
    expect(line).toBe("warn messaging.send_failed to=+1415•••••71 email=a•••@example.com deliveryId=d1\n");
  });

  it("describes what is not an Error too", () => {
    expect(describeError("boom")).toEqual({ name: "string", message: "boom" });
  });
});
