import fc from "fast-check";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { creditLedger, messageDeliveries, rateLimits } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { addCredits, creditBalance } from "@/lib/teams/credits";
import { meta, OTHER_PHONE, PHONE } from "@/tests/helpers";
import { keyedTeam, post, setBalance } from "@/tests/verify-api-client";
import { captureLog } from "@/tests/log-spy";

// The real outbox sends, wrapped so a step can make its provider call fail.
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return { ...actual, send: vi.fn(actual.send) };
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(send).mockReset();
});

/**
 * Where an attacker would send: real mobiles, a premium-rate number, a country outside the
 * default list, a shared-cost and a toll-free number, and an address (free).
 */
const PHONES = [PHONE, OTHER_PHONE, "+19005551234", "+919876543210", "+448712345678", "+18005551212"];
/** One provider call in four fails. */
const providerFails = fc.nat(3).map((n) => n === 0);

const step = fc.oneof(
  fc.record({
    kind: fc.constant("create" as const),
    target: fc.oneof(
      fc.record({ to: fc.constantFrom(...PHONES), channel: fc.constantFrom("sms", "voice") }),
      fc.constant({ to: "someone@example.com", channel: "email" }),
    ),
    providerFails,
    idempotencyKey: fc.option(fc.constantFrom("k1", "k2"), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("fallback" as const), pick: fc.nat(), providerFails }),
  fc.record({ kind: fc.constant("check" as const), pick: fc.nat(), code: fc.stringMatching(/^\d{6}$/) }),
  fc.record({ kind: fc.constant("topUp" as const), amount: fc.integer({ min: 1, max: 3 }) }),
);

const PAID = ["sms", "voice"] as const;

/** Paid messages the provider accepted, all teams: the tests run one team at a time. */
async function acceptedPaidMessages(): Promise<number> {
  const [row] = await db()
    .select({ n: sql<number>`count(*)::int` })
    .from(messageDeliveries)
    .where(and(inArray(messageDeliveries.channel, [...PAID]), ne(messageDeliveries.status, "failed")));
  return row!.n;
}

async function debitsOf(teamId: string) {
  return db()
    .select({ messageId: creditLedger.messageId, delivery: messageDeliveries.status, channel: messageDeliveries.channel })
    .from(creditLedger)
    .leftJoin(messageDeliveries, eq(messageDeliveries.id, creditLedger.messageId))
    .where(and(eq(creditLedger.teamId, teamId), eq(creditLedger.delta, -1)));
}

describe("property: no sequence of API calls spends a credit without a delivered message", () => {
  it("creates, fallbacks, checks and top-ups, with the provider failing at random", async () => {
    captureLog();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.array(step, { minLength: 1, maxLength: 15 }), async (startBalance, steps) => {
        await db().delete(rateLimits);
        const team = await keyedTeam();
        await setBalance(team.teamId, startBalance);
        const acceptedBefore = await acceptedPaidMessages();
        const ids: string[] = [];
        let added = 0;

        for (const s of steps) {
          if (s.kind === "topUp") {
            if ((await addCredits(team.teamId, { id: team.userId }, s.amount, meta)).ok) added += s.amount;
            continue;
          }
          if (s.kind !== "check" && s.providerFails) vi.mocked(send).mockRejectedValueOnce(new Error("provider down"));
          let response: Response;
          if (s.kind === "create") {
            response = await post("/api/v1/verifications", s.target, team.key, s.idempotencyKey ? { "idempotency-key": s.idempotencyKey } : undefined);
          } else if (ids.length === 0) {
            continue;
          } else {
            const id = ids[s.pick % ids.length]!;
            response = s.kind === "fallback" ? await post(`/api/v1/verifications/${id}/fallback`, { channel: "voice" }, team.key) : await post(`/api/v1/verifications/${id}/check`, { code: s.code }, team.key);
          }
          // 502 is the provider's failure, told to the caller; 500 would be ours.
          expect(response.status, await response.clone().text()).not.toBe(500);
          const body = (await response.json()) as { id?: string };
          if (response.status === 201 && body.id && !ids.includes(body.id)) ids.push(body.id);
          // A failure queued for a send that never happened (refused before the provider) must not leak into the next step.
          vi.mocked(send).mockReset();
        }

        const debits = await debitsOf(team.teamId);
        // Every credit spent names a paid message the provider accepted…
        for (const debit of debits) {
          expect(debit.messageId).not.toBeNull();
          expect(PAID).toContain(debit.channel);
          expect(debit.delivery).not.toBe("failed");
        }
        // …every accepted paid message was paid for, once…
        expect((await acceptedPaidMessages()) - acceptedBefore).toBe(debits.length);
        // …and the balance is exactly what was there, added and spent.
        expect(await creditBalance(team.teamId)).toBe(startBalance + added - debits.length);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
