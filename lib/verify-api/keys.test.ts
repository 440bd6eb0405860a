import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { apiKeys, auditEvents } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import { createUser, joinTeam, meta } from "@/tests/helpers";
import { API_KEY_MESSAGES, authenticateApiKey, createApiKey, listApiKeys, MAX_KEY_NAME_LENGTH, MAX_KEYS_PER_TEAM, revokeApiKey } from "./keys";

afterEach(() => {
  vi.useRealTimers();
});

/** A team owned by a new user, and that owner as the actor lib functions take. */
async function ownedTeam(name = "Grace Hopper") {
  const owner = await createUser({ name });
  return { teamId: owner.teamId, actor: { id: owner.userId }, owner };
}

async function createKey(teamId: string, actor: { id: string }, name = "Production backend") {
  const result = await createApiKey(teamId, actor, name, meta);
  if (!result.ok) throw new Error(result.message);
  return result;
}

const keyRow = async (id: string) => (await db().select().from(apiKeys).where(eq(apiKeys.id, id)))[0]!;
const teamEvents = (teamId: string, type: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, type))).orderBy(auditEvents.createdAt);
const bearer = (key: string) => `Bearer ${key}`;

describe("createApiKey", () => {
  it("returns tsk_live_ and 32 base64url characters (192 random bits); stores only the hash and the shown prefix", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor, "  Production \t backend ");
    expect(key).toMatch(/^tsk_live_[A-Za-z0-9_-]{32}$/);
    // 32 base64url characters carry 32 × 6 = 192 bits, at least the 128 the issue asks for.
    expect(Buffer.from(key.slice("tsk_live_".length), "base64url")).toHaveLength(24);
    expect(apiKey).toMatchObject({ name: "Production backend", prefix: key.slice(0, 17), createdByName: "Grace Hopper", lastUsedAt: null, revokedAt: null });

    const row = await keyRow(apiKey.id);
    expect(row.hash).toBe(hashToken(key));
    expect(row.prefix).toBe(key.slice(0, 17));
    expect(row.createdBy).toBe(actor.id);
    // Nowhere in the row — not as a column, not inside another one.
    expect(JSON.stringify(row)).not.toContain(key);
    expect(JSON.stringify(row)).not.toContain(key.slice(17));
  });

  it("two keys never collide", async () => {
    const { teamId, actor } = await ownedTeam();
    const keys = await Promise.all(Array.from({ length: 5 }, (_, i) => createKey(teamId, actor, `Key ${i}`)));
    expect(new Set(keys.map((k) => k.key)).size).toBe(5);
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   \n "],
    ["too long", "x".repeat(MAX_KEY_NAME_LENGTH + 1)],
    ["a NUL byte", "Prod\u0000backend"],
    ["a control character", "Prod\u0007"],
    ["not a string", 42],
  ])("refuses a name that is %s, and writes nothing", async (_, name) => {
    const { teamId, actor } = await ownedTeam();
    expect(await createApiKey(teamId, actor, name, meta)).toEqual({ ok: false, code: "NAME", message: API_KEY_MESSAGES.NAME });
    expect(await listApiKeys(teamId)).toEqual([]);
    expect(await teamEvents(teamId, "api_key.created")).toHaveLength(0);
  });

  it("accepts a name of exactly the maximum length, and one in any script", async () => {
    const { teamId, actor } = await ownedTeam();
    await createKey(teamId, actor, "x".repeat(MAX_KEY_NAME_LENGTH));
    expect((await createKey(teamId, actor, "Überweisung – 決済")).apiKey.name).toBe("Überweisung – 決済");
  });

  it("admins may create keys; members and another team's admin may not", async () => {
    const { teamId } = await ownedTeam();
    const admin = await createUser({ name: "Alan Admin" });
    const member = await createUser({ name: "Mia Member" });
    const outsider = await ownedTeam("Olga Outsider");
    await joinTeam(teamId, admin.userId, "admin");
    await joinTeam(teamId, member.userId, "member");

    expect((await createApiKey(teamId, { id: admin.userId }, "Admin's key", meta)).ok).toBe(true);
    const refused = { ok: false, code: "FORBIDDEN", message: API_KEY_MESSAGES.FORBIDDEN };
    expect(await createApiKey(teamId, { id: member.userId }, "Member's key", meta)).toEqual(refused);
    expect(await createApiKey(teamId, outsider.actor, "Outsider's key", meta)).toEqual(refused);
    // An unknown team is refused the same way, not an exception.
    expect(await createApiKey("00000000-0000-4000-8000-000000000000", outsider.actor, "Ghost", meta)).toEqual(refused);
    expect((await listApiKeys(teamId)).map((k) => k.name)).toEqual(["Admin's key"]);
  });

  it(`caps a team at ${MAX_KEYS_PER_TEAM} live keys; revoking one makes room`, async () => {
    const { teamId, actor } = await ownedTeam();
    const created = [];
    for (let i = 0; i < MAX_KEYS_PER_TEAM; i += 1) created.push(await createKey(teamId, actor, `Key ${i}`));
    expect(await createApiKey(teamId, actor, "One too many", meta)).toEqual({ ok: false, code: "TOO_MANY", message: API_KEY_MESSAGES.TOO_MANY });

    expect(await revokeApiKey(teamId, actor, created[0]!.apiKey.id, meta)).toEqual({ ok: true });
    expect((await createApiKey(teamId, actor, "Now there is room", meta)).ok).toBe(true);
    // Revoked keys do not count, but they are still listed (after the live ones).
    const listed = await listApiKeys(teamId);
    expect(listed).toHaveLength(MAX_KEYS_PER_TEAM + 1);
    expect(listed.at(-1)!.id).toBe(created[0]!.apiKey.id);
  });

  it("concurrent creates never exceed the cap", async () => {
    const { teamId, actor } = await ownedTeam();
    for (let i = 0; i < MAX_KEYS_PER_TEAM - 3; i += 1) await createKey(teamId, actor, `Key ${i}`);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => createApiKey(teamId, actor, `Parallel ${i}`, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "TOO_MANY")).toBe(true);
    const [{ live }] = (await db()
      .select({ live: sql<number>`count(*)::int` })
      .from(apiKeys)
      .where(and(eq(apiKeys.teamId, teamId), sql`${apiKeys.revokedAt} is null`))) as [{ live: number }];
    expect(live).toBe(MAX_KEYS_PER_TEAM);
  });

  it("records api_key.created with the actor, the name and the prefix — never the key", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    const [event, ...more] = await teamEvents(teamId, "api_key.created");
    expect(more).toHaveLength(0);
    expect(event).toMatchObject({ actorId: actor.id, userId: actor.id, ip: meta.ip, data: { keyId: apiKey.id, name: "Production backend", prefix: apiKey.prefix } });
    expect(JSON.stringify(event)).not.toContain(key);
  });
});

describe("revokeApiKey", () => {
  it("revokes at once: the key no longer authenticates; audited with the actor", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    expect(await authenticateApiKey(bearer(key))).toEqual({ keyId: apiKey.id, teamId });

    expect(await revokeApiKey(teamId, actor, apiKey.id, meta)).toEqual({ ok: true });
    expect(await authenticateApiKey(bearer(key))).toBeNull();
    const row = await keyRow(apiKey.id);
    expect(row.revokedAt).toBeInstanceOf(Date);
    expect(row.revokedBy).toBe(actor.id);
    const events = await teamEvents(teamId, "api_key.revoked");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: actor.id, data: { keyId: apiKey.id, name: "Production backend", prefix: apiKey.prefix } });
    expect((await listApiKeys(teamId))[0]!.revokedAt).toEqual(row.revokedAt);
  });

  it("revoking twice succeeds without a second event or a new revocation time", async () => {
    const { teamId, actor } = await ownedTeam();
    const { apiKey } = await createKey(teamId, actor);
    await revokeApiKey(teamId, actor, apiKey.id, meta);
    const first = (await keyRow(apiKey.id)).revokedAt;
    expect(await revokeApiKey(teamId, actor, apiKey.id, meta)).toEqual({ ok: true });
    expect((await keyRow(apiKey.id)).revokedAt).toEqual(first);
    expect(await teamEvents(teamId, "api_key.revoked")).toHaveLength(1);
  });

  it("another team's key is NOT_FOUND for this team, even to its own admin, and stays live", async () => {
    const mine = await ownedTeam();
    const theirs = await ownedTeam("Olga Outsider");
    const { key, apiKey } = await createKey(theirs.teamId, theirs.actor);
    const notFound = { ok: false, code: "NOT_FOUND", message: API_KEY_MESSAGES.NOT_FOUND };
    expect(await revokeApiKey(mine.teamId, mine.actor, apiKey.id, meta)).toEqual(notFound);
    expect(await revokeApiKey(mine.teamId, mine.actor, "00000000-0000-4000-8000-000000000000", meta)).toEqual(notFound);
    expect(await revokeApiKey(mine.teamId, mine.actor, "not-a-uuid'; drop table api_keys; --", meta)).toEqual(notFound);
    expect(await authenticateApiKey(bearer(key))).toEqual({ keyId: apiKey.id, teamId: theirs.teamId });
  });

  it("members and another team's admin may not revoke", async () => {
    const { teamId, actor } = await ownedTeam();
    const member = await createUser({ name: "Mia Member" });
    const outsider = await ownedTeam("Olga Outsider");
    await joinTeam(teamId, member.userId, "member");
    const { key, apiKey } = await createKey(teamId, actor);
    const refused = { ok: false, code: "FORBIDDEN", message: API_KEY_MESSAGES.FORBIDDEN };
    expect(await revokeApiKey(teamId, { id: member.userId }, apiKey.id, meta)).toEqual(refused);
    expect(await revokeApiKey(teamId, outsider.actor, apiKey.id, meta)).toEqual(refused);
    expect(await authenticateApiKey(bearer(key))).not.toBeNull();
    expect(await teamEvents(teamId, "api_key.revoked")).toHaveLength(0);
  });
});

describe("listApiKeys", () => {
  it("lists live keys newest first, then revoked ones; only this team's", async () => {
    const { teamId, actor } = await ownedTeam();
    const other = await ownedTeam("Olga Outsider");
    await createKey(other.teamId, other.actor, "Not ours");
    const first = await createKey(teamId, actor, "First");
    await createKey(teamId, actor, "Second");
    await createKey(teamId, actor, "Third");
    await revokeApiKey(teamId, actor, first.apiKey.id, meta);
    expect((await listApiKeys(teamId)).map((k) => k.name)).toEqual(["Third", "Second", "First"]);
    const listed = await listApiKeys(teamId);
    expect(listed.every((k) => !("hash" in k))).toBe(true);
  });
});

describe("authenticateApiKey", () => {
  it("accepts the Bearer scheme in any case and surrounding whitespace", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    for (const header of [`Bearer ${key}`, `bearer ${key}`, `  BEARER ${key}  `]) {
      expect(await authenticateApiKey(header)).toEqual({ keyId: apiKey.id, teamId });
    }
  });

  it("returns null for missing, malformed, unknown and near-miss keys", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key } = await createKey(teamId, actor);
    const headers: (string | null | undefined)[] = [
      undefined,
      null,
      "",
      "Bearer",
      "Bearer ",
      key,
      `Basic ${key}`,
      `Bearer  ${key}`,
      `Bearer ${key} extra`,
      `Bearer ${key}x`,
      `Bearer ${key.slice(0, -1)}`,
      `Bearer ${key.replace("tsk_live_", "tsk_test_")}`,
      `Bearer ${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`,
      `Bearer tsk_live_${"!".repeat(32)}`,
      `Bearer ${hashToken(key)}`,
      `Bearer ${key}\u0000`,
      `Bearer ${"x".repeat(100_000)}`,
    ];
    for (const header of headers) expect(await authenticateApiKey(header), String(header).slice(0, 60)).toBeNull();
  });

  it("writes last_used_at on first use, then at most once a minute", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    expect((await keyRow(apiKey.id)).lastUsedAt).toBeNull();

    await authenticateApiKey(bearer(key));
    const firstUse = (await keyRow(apiKey.id)).lastUsedAt;
    expect(firstUse).toBeInstanceOf(Date);
    expect((await listApiKeys(teamId))[0]!.lastUsedAt).toEqual(firstUse);

    // Within the minute: no write.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await authenticateApiKey(bearer(key));
    expect((await keyRow(apiKey.id)).lastUsedAt).toEqual(firstUse);

    // Over a minute ago: written again.
    await db().update(apiKeys).set({ lastUsedAt: sql`now() - interval '61 seconds'` }).where(eq(apiKeys.id, apiKey.id));
    const stale = (await keyRow(apiKey.id)).lastUsedAt!;
    await authenticateApiKey(bearer(key));
    expect((await keyRow(apiKey.id)).lastUsedAt!.getTime()).toBeGreaterThan(stale.getTime() + 60_000);
  });

  // Only a database server has a clock of its own: embedded PGlite reads the process's (faked) one.
  it.skipIf(!process.env.TEST_DATABASE_URL)("judges the minute by the database's clock: an app clock running ahead does not write on every request", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    await authenticateApiKey(bearer(key));
    const firstUse = (await keyRow(apiKey.id)).lastUsedAt;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 5 * 60_000);
    expect(await authenticateApiKey(bearer(key))).toEqual({ keyId: apiKey.id, teamId });
    vi.useRealTimers();
    expect((await keyRow(apiKey.id)).lastUsedAt).toEqual(firstUse);
  });

  it("concurrent first uses all authenticate and leave one recent last_used_at", async () => {
    const { teamId, actor } = await ownedTeam();
    const { key, apiKey } = await createKey(teamId, actor);
    const results = await Promise.all(Array.from({ length: 10 }, () => authenticateApiKey(bearer(key))));
    expect(results.every((r) => r?.keyId === apiKey.id)).toBe(true);
    const lastUsedAt = (await keyRow(apiKey.id)).lastUsedAt!;
    expect(Math.abs(Date.now() - lastUsedAt.getTime())).toBeLessThan(60_000);
  });
});
