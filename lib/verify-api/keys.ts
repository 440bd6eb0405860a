import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { apiKeys, users } from "@/lib/db/schema";
import { isUuid } from "@/lib/db/uuid";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { MANAGERS, requireTeamRole } from "@/lib/teams/roles";

export const API_KEY_PREFIX = "tsk_live_";
/** 24 random bytes: 192 bits, 32 base64url characters after the prefix. */
const KEY_BYTES = 24;
/** How much of the key lists show: the fixed prefix and 8 random characters (48 bits, enough to tell keys apart). */
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;
const KEY_PATTERN = /^tsk_live_[A-Za-z0-9_-]{32}$/;
/** A team's live keys; more is a leak waiting to happen, not a use case. */
export const MAX_KEYS_PER_TEAM = 20;
export const MAX_KEY_NAME_LENGTH = 60;
/** `last_used_at` is written at most this often per key, so a busy key does not write on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export const API_KEY_MESSAGES = {
  FORBIDDEN: "Only an owner or admin of this team can manage API keys.",
  NAME: `Give the key a name of 1 to ${MAX_KEY_NAME_LENGTH} characters, such as where it is used.`,
  TOO_MANY: `This team has ${MAX_KEYS_PER_TEAM} active keys. Revoke one you no longer use first.`,
  NOT_FOUND: "That key could not be found. Reload the page.",
} as const;

export type ApiKeySummary = {
  id: string;
  name: string;
  /** e.g. `tsk_live_AbCd1234`: what lists show instead of the key. */
  prefix: string;
  createdAt: Date;
  createdByName: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

export type CreateKeyResult =
  /** `key` is the whole key: shown once, never stored. */
  | { ok: true; key: string; apiKey: ApiKeySummary }
  | { ok: false; code: "FORBIDDEN" | "NAME" | "TOO_MANY"; message: string };

export type RevokeKeyResult = { ok: true } | { ok: false; code: "FORBIDDEN" | "NOT_FOUND"; message: string };

/** The team a key belongs to, for the Verify API's routes. */
export type ApiKeyPrincipal = { keyId: string; teamId: string };

/**
 * Creates a key for the team (owners and admins, checked in the database under the team's
 * lock so the per-team cap holds under concurrent creates). Only the SHA-256 of the key is
 * stored: the key has 192 random bits, so a fast hash is enough and lookups stay one index
 * probe. Audited in the same transaction.
 */
export async function createApiKey(teamId: string, actor: { id: string }, rawName: unknown, meta: RequestMeta): Promise<CreateKeyResult> {
  const name = typeof rawName === "string" ? rawName.trim().replace(/\s+/g, " ") : "";
  // PostgreSQL text cannot hold NUL, and other control characters have no place in a label.
  const printable = !/\p{Cc}/u.test(name);
  return db().transaction(async (tx): Promise<CreateKeyResult> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, MANAGERS))) return { ok: false, code: "FORBIDDEN", message: API_KEY_MESSAGES.FORBIDDEN };
    if (name.length < 1 || name.length > MAX_KEY_NAME_LENGTH || !printable) return { ok: false, code: "NAME", message: API_KEY_MESSAGES.NAME };
    const [{ live }] = (await tx
      .select({ live: sql<number>`count(*)::int` })
      .from(apiKeys)
      .where(and(eq(apiKeys.teamId, teamId), isNull(apiKeys.revokedAt)))) as [{ live: number }];
    if (live >= MAX_KEYS_PER_TEAM) return { ok: false, code: "TOO_MANY", message: API_KEY_MESSAGES.TOO_MANY };

    const key = API_KEY_PREFIX + randomToken(KEY_BYTES);
    const [row] = await tx
      .insert(apiKeys)
      .values({ teamId, name, prefix: key.slice(0, SHOWN_LENGTH), hash: hashToken(key), createdBy: actor.id })
      .returning();
    await recordAudit(tx, { type: "api_key.created", teamId, actorId: actor.id, userId: actor.id, data: { keyId: row!.id, name, prefix: row!.prefix }, ...meta });
    const [creator] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.id));
    return {
      ok: true,
      key,
      apiKey: { id: row!.id, name, prefix: row!.prefix, createdAt: row!.createdAt, createdByName: creator?.name ?? null, lastUsedAt: null, revokedAt: null },
    };
  });
}

/** Revokes a key of the team at once; the next request with it gets 401. Audited. Revoking twice is a no-op success. */
export async function revokeApiKey(teamId: string, actor: { id: string }, keyId: string, meta: RequestMeta): Promise<RevokeKeyResult> {
  return db().transaction(async (tx): Promise<RevokeKeyResult> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, MANAGERS))) return { ok: false, code: "FORBIDDEN", message: API_KEY_MESSAGES.FORBIDDEN };
    // A malformed id would make PostgreSQL throw on the uuid cast: it is simply no key of this team.
    if (!isUuid(keyId)) return { ok: false, code: "NOT_FOUND", message: API_KEY_MESSAGES.NOT_FOUND };
    const [existing] = await tx
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.teamId, teamId)));
    if (!existing) return { ok: false, code: "NOT_FOUND", message: API_KEY_MESSAGES.NOT_FOUND };
    if (existing.revokedAt) return { ok: true };
    await tx.update(apiKeys).set({ revokedAt: sql`now()`, revokedBy: actor.id }).where(eq(apiKeys.id, keyId));
    await recordAudit(tx, { type: "api_key.revoked", teamId, actorId: actor.id, userId: actor.id, data: { keyId, name: existing.name, prefix: existing.prefix }, ...meta });
    return { ok: true };
  });
}

/** The team's keys, live ones first, newest first (at most MAX_KEYS_PER_TEAM live, so no paging for those; revoked ones capped). */
export async function listApiKeys(teamId: string, options: { revokedLimit?: number } = {}): Promise<ApiKeySummary[]> {
  const rows = await db()
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      createdByName: users.name,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.teamId, teamId))
    .orderBy(sql`${apiKeys.revokedAt} is not null`, desc(apiKeys.createdAt))
    .limit(MAX_KEYS_PER_TEAM + (options.revokedLimit ?? 20));
  return rows;
}

/**
 * The team behind a bearer key, or null for a missing, malformed, unknown or revoked key
 * (the API answers all of them with the same 401). Writes `last_used_at` at most once a
 * minute per key, so the hot path is one index probe.
 */
export async function authenticateApiKey(authorization: string | null | undefined): Promise<ApiKeyPrincipal | null> {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? "");
  const key = match?.[1];
  if (!key || !KEY_PATTERN.test(key)) return null;
  const [row] = await db()
    .select({ keyId: apiKeys.id, teamId: apiKeys.teamId, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashToken(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_SECONDS * 1000) {
    // Conditional on the database's clock too: concurrent first requests (or an app clock
    // ahead of the database's) still write at most once per minute.
    await db()
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, row.keyId),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - (${LAST_USED_RESOLUTION_SECONDS} * interval '1 second')`)),
        ),
      );
  }
  return { keyId: row.keyId, teamId: row.teamId };
}
