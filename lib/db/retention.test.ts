import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { messageDeliveries, outbox, rateLimits, teams, verifications } from "@/lib/db/schema";
import { pruneExpired, RETENTION } from "./retention";

const daysAgo = (days: number) => sql`now() - (${days} * interval '1 day')`;

describe("pruneExpired", () => {
  it("deletes verifications, deliveries, outbox messages and rate-limit windows past their retention, and nothing younger", async () => {
    const [team] = await db().insert(teams).values({ name: "Acme" }).returning({ id: teams.id });
    const verification = (createdAt: ReturnType<typeof daysAgo>) => ({
      teamId: team!.id,
      to: "a@example.com",
      channel: "email" as const,
      codeLength: 6,
      codeHash: "h",
      createdAt,
      expiresAt: createdAt,
    });
    await db().insert(verifications).values([verification(daysAgo(RETENTION.verificationsDays + 1)), verification(daysAgo(RETENTION.verificationsDays - 1))]);
    const delivery = (createdAt: ReturnType<typeof daysAgo>) => ({ provider: "outbox", channel: "sms" as const, to: "+14155552671", status: "delivered", createdAt });
    await db().insert(messageDeliveries).values([delivery(daysAgo(RETENTION.deliveriesDays + 1)), delivery(daysAgo(RETENTION.deliveriesDays - 1))]);
    const message = (createdAt: ReturnType<typeof daysAgo>) => ({ channel: "email" as const, to: "a@example.com", text: "Your code is 123456", createdAt });
    await db().insert(outbox).values([message(daysAgo(RETENTION.outboxDays + 1)), message(daysAgo(RETENTION.outboxDays - 1))]);
    await db()
      .insert(rateLimits)
      .values([
        { key: "old", count: 3, resetAt: sql`now() - interval '2 hours'` },
        { key: "just-over", count: 3, resetAt: sql`now() - interval '5 minutes'` },
        { key: "live", count: 3, resetAt: sql`now() + interval '5 minutes'` },
      ]);

    expect(await pruneExpired()).toEqual({ verifications: 1, deliveries: 1, outbox: 1, rateLimits: 1 });
    expect(await db().select().from(verifications)).toHaveLength(1);
    expect(await db().select().from(messageDeliveries)).toHaveLength(1);
    expect(await db().select().from(outbox)).toHaveLength(1);
    expect((await db().select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key).sort()).toEqual(["just-over", "live"]);
    expect(await pruneExpired()).toEqual({ verifications: 0, deliveries: 0, outbox: 0, rateLimits: 0 });
    expect(await db().select().from(teams).where(eq(teams.id, team!.id))).toHaveLength(1);
  });
});
