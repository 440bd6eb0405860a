import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { cancelOpenChallenges } from "@/lib/auth/challenge";
import { db, type Executor } from "@/lib/db";
import { trustedDevices } from "@/lib/db/schema";
import { hashToken, randomToken } from "@/lib/security/tokens";

/** A remembered device's period for a user in no team (teams choose theirs: lib/teams/policy.ts). */
export const TRUSTED_DEVICE_DAYS = 30;
export const TRUSTED_DEVICE_COOKIE = "tessera_device";

/** Remembers this browser for the user; returns the token for its httpOnly cookie. */
export async function trustDevice(ex: Executor, userId: string, meta: RequestMeta, days = TRUSTED_DEVICE_DAYS): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const [row] = await ex
    .insert(trustedDevices)
    .values({
      userId,
      tokenHash: hashToken(token),
      userAgent: meta.userAgent ?? null,
      ip: meta.ip ?? null,
      expiresAt: sql`now() + (${days} * interval '1 day')`,
    })
    .returning({ id: trustedDevices.id, expiresAt: trustedDevices.expiresAt });
  await recordAudit(ex, { type: "trusted_device.added", userId, data: { deviceId: row!.id }, ...meta });
  return { token, expiresAt: row!.expiresAt };
}

/**
 * True when `token` is a live remembered device of this user, remembered less than
 * `rememberDays` ago (the user's current policy: joining a stricter team shortens devices
 * remembered before); notes that it was seen. 0 days: no device is trusted.
 */
export async function isTrustedDevice(userId: string, token: string | undefined, rememberDays = TRUSTED_DEVICE_DAYS, ex: Executor = db()): Promise<boolean> {
  if (!token || rememberDays <= 0) return false;
  const [row] = await ex
    .update(trustedDevices)
    .set({ lastSeenAt: sql`now()` })
    .where(
      and(
        eq(trustedDevices.tokenHash, hashToken(token)),
        eq(trustedDevices.userId, userId),
        isNull(trustedDevices.revokedAt),
        gt(trustedDevices.expiresAt, sql`now()`),
        gt(sql`${trustedDevices.createdAt} + (${rememberDays} * interval '1 day')`, sql`now()`),
      ),
    )
    .returning({ id: trustedDevices.id });
  return Boolean(row);
}

export async function listTrustedDevices(userId: string) {
  return db()
    .select({
      id: trustedDevices.id,
      userAgent: trustedDevices.userAgent,
      ip: trustedDevices.ip,
      createdAt: trustedDevices.createdAt,
      lastSeenAt: trustedDevices.lastSeenAt,
      expiresAt: trustedDevices.expiresAt,
    })
    .from(trustedDevices)
    .where(and(eq(trustedDevices.userId, userId), isNull(trustedDevices.revokedAt), gt(trustedDevices.expiresAt, sql`now()`)))
    .orderBy(desc(trustedDevices.lastSeenAt))
    .limit(100);
}

/** Revokes one remembered device of the user (`deviceId`) or all of them; returns how many. */
export async function revokeTrustedDevices(ex: Executor, userId: string, meta: RequestMeta, deviceId?: string): Promise<number> {
  const revoked = await ex
    .update(trustedDevices)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(trustedDevices.userId, userId),
        isNull(trustedDevices.revokedAt),
        deviceId ? eq(trustedDevices.id, deviceId) : undefined,
      ),
    )
    .returning({ id: trustedDevices.id });
  if (revoked.length > 0) {
    // A sign-in that a revoked device already completed must not become a session.
    await cancelOpenChallenges(ex, userId);
    await recordAudit(ex, { type: "trusted_device.revoked", userId, data: { count: revoked.length, ...(deviceId ? { deviceId } : {}) }, ...meta });
  }
  return revoked.length;
}
