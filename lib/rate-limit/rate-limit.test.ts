import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { rateLimits } from "@/lib/db/schema";
import { clearRateLimit, giveBack, peekRateLimit, rateLimit } from ".";

describe("rate limits", () => {
  it("giveBack takes one event back in the window it was counted in, never from a later window, never below 0", async () => {
    const window = { limit: 5, windowSeconds: 60 };
    await rateLimit("t:back", window);
    const second = await rateLimit("t:back", window);
    await giveBack([second.counted]);
    expect(await peekRateLimit("t:back")).toMatchObject({ count: 1 });
    // The window ended and a new one began: the old event is not taken from the new count.
    const old = (await rateLimit("t:back", window)).counted;
    await db().update(rateLimits).set({ resetAt: sql`now() - interval '1 second'` }).where(eq(rateLimits.key, "t:back"));
    await rateLimit("t:back", window);
    await giveBack([old]);
    expect(await peekRateLimit("t:back")).toMatchObject({ count: 1 });
    const fresh = (await rateLimit("t:floor", window)).counted;
    await giveBack([fresh, fresh, fresh]);
    expect(await peekRateLimit("t:floor")).toMatchObject({ count: 0 });
  });

  it("allows `limit` events per window, then says how long to wait", async () => {
    const window = { limit: 3, windowSeconds: 60 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await rateLimit("t:a", window));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(55);
    expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await peekRateLimit("t:a")).toMatchObject({ count: 4 });
  });

  it("counts concurrent hits exactly", async () => {
    const window = { limit: 10, windowSeconds: 60 };
    const results = await Promise.all(Array.from({ length: 25 }, () => rateLimit("t:concurrent", window)));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it("starts a new window once the old one has passed", async () => {
    const window = { limit: 1, windowSeconds: 60 };
    await rateLimit("t:b", window);
    expect((await rateLimit("t:b", window)).allowed).toBe(false);
    await db().update(rateLimits).set({ resetAt: sql`now() - interval '1 second'` }).where(eq(rateLimits.key, "t:b"));
    expect(await peekRateLimit("t:b")).toEqual({ count: 0, retryAfterSeconds: 0 });
    expect(await rateLimit("t:b", window)).toMatchObject({ allowed: true, count: 1 });
  });

  it("keeps keys apart and can be cleared", async () => {
    const window = { limit: 1, windowSeconds: 60 };
    await rateLimit("t:c", window);
    expect((await rateLimit("t:d", window)).allowed).toBe(true);
    await clearRateLimit("t:c");
    expect((await rateLimit("t:c", window)).allowed).toBe(true);
  });
});
