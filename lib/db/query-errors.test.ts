import { inspect } from "node:util";
import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { users } from "@/lib/db/schema";

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the query to fail");
}

describe("failed queries", () => {
  it("carry no parameters however they are printed, and keep the database's own error as the cause", async () => {
    const recipient = "ada.lovelace@example.com";
    await db().insert(users).values({ name: "Ada", email: recipient, passwordHash: "x" });
    // The unique index on lower(email): PostgreSQL's detail names the duplicate value.
    const error = await failure(() => db().insert(users).values({ name: "Ada again", email: recipient, passwordHash: "secret-hash-value" }));

    expect(error).toBeInstanceOf(DrizzleQueryError);
    expect(error.message).toMatch(/^Failed query: insert into "users"/);
    const printed = [inspect(error, { depth: 5 }), String(error.stack), JSON.stringify(error), error.message].join("\n");
    expect(printed).not.toContain(recipient);
    expect(printed).not.toContain("secret-hash-value");
    expect(printed).not.toContain("params:");
    expect((error.cause as { code?: string }).code).toBe("23505");
    expect(printed).toContain("23505");
    // Code may still read what the constraint refused.
    expect(String((error.cause as { detail?: string }).detail)).toContain(recipient);
  });
});
