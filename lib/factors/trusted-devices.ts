import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { cancelOpenChallenges } from "@/lib/auth/challenge";
import { db, type Executor } from "@/lib/db";
import { trustedDevices } from "@/lib/db/schema";
import { notifyUser } from "@/lib/notifications";
import { hashToken, randomToken } from "@/lib/security/tokens";

/** A remembered device's period for a user in no team (teams choose theirs: lib/teams/policy.ts). */
export const TRUSTED_DEVICE_DAYS = 30;
export const TRUSTED_DEVICE_COOKIE = "tessera_device";

/** The part of the user's policy a remembered device follows (lib/teams/policy.ts, effectivePolicy). */
export type RememberPolicy = { rememberDays: number; rememberTeamId: string | null };

/** Why remembered devices were signed out; kept in the audit event. */
export type RevocationReason =
  | "user"
  | "factor_removed"
  | "phone_changed"
  | "recovery_code"
  | "left_team"
  | "password_reset"
  | "factors_cleared";

/**
 * Remembers this browser for the user; returns the token for its httpOnly cookie. The team
 * whose period applied (the shortest) is kept: leaving that team signs the device out.
 */
export async function trustDevice(
  ex: Executor,
  userId: string,
  meta: RequestMeta,
  policy: RememberPolicy = { rememberDays: TRUSTED_DEVICE_DAYS, rememberTeamId: null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const [row] = await ex
    .insert(trustedDevices)
    .values({
      userId,
      tokenHash: hashToken(token),
      userAgent: meta.userAgent ?? null,
      ip: meta.ip ?? null,
      expiresAt: sql`now() + (${policy.rememberDays} * interval '1 day')`,
      periodTeamId: policy.rememberTeamId,
    })
    .returning({ id: trustedDevices.id, expiresAt: trustedDevices.expiresAt });
  await recordAudit(ex, { type: "trusted_device.added", userId, data: { deviceId: row!.id }, ...meta });
  return { token, expiresAt: row!.expiresAt };
}

/**
 * The device behind `tokenHash` is live for this user: not revoked, not expired, and
 * remembered less than `rememberDays` ago (the user's current policy: joining a stricter
 * team shortens devices remembered before).
 */
const liveDevice = (userId: string, tokenHash: string, rememberDays: number) =>
  and(
    eq(trustedDevices.tokenHash, tokenHash),
    eq(trustedDevices.userId, userId),
    isNull(trustedDevices.revokedAt),
    gt(trustedDevices.expiresAt, sql`now()`),
    gt(sql`${trustedDevices.createdAt} + (${rememberDays} * interval '1 day')`, sql`now()`),
  );

/** True when `token` is a live remembered device of this user (a read: it does not use the token up). */
export async function isTrustedDevice(userId: string, token: string | undefined, rememberDays = TRUSTED_DEVICE_DAYS, ex: Executor = db()): Promise<boolean> {
  if (!token || rememberDays <= 0) return false;
  const [row] = await ex.select({ id: trustedDevices.id }).from(trustedDevices).where(liveDevice(userId, hashToken(token), rememberDays));
  return Boolean(row);
}

export type DeviceUse =
  | { trusted: true; token: string; expiresAt: Date }
  /** `replayed`: the token was one this device already replaced — a copy; the device is now signed out. */
  | { trusted: false; replayed: boolean };

/**
 * Uses a remembered-device cookie at the password step. A live token is replaced by a new
 * one in a single conditional UPDATE (WHERE token_hash = the presented one), so of any
 * number of concurrent uses exactly one gets the new token; the old hash is kept as
 * `previous_token_hash`. Presenting that old token again means two browsers hold the
 * cookie (one browser only ever has the newest): the device is signed out and audited in
 * `ex`; the caller emails the owner after the commit (`announceDeviceReplay`).
 */
export async function useTrustedDevice(ex: Executor, userId: string, token: string | undefined, policy: RememberPolicy, meta: RequestMeta): Promise<DeviceUse> {
  if (!token) return { trusted: false, replayed: false };
  const presented = hashToken(token);
  if (policy.rememberDays > 0) {
    const next = randomToken();
    const [rotated] = await ex
      .update(trustedDevices)
      .set({ tokenHash: hashToken(next), previousTokenHash: presented, lastSeenAt: sql`now()` })
      .where(liveDevice(userId, presented, policy.rememberDays))
      .returning({ expiresAt: trustedDevices.expiresAt });
    if (rotated) return { trusted: true, token: next, expiresAt: rotated.expiresAt };
  }
  const replayed = await ex
    .update(trustedDevices)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(trustedDevices.previousTokenHash, presented),
        eq(trustedDevices.userId, userId),
        isNull(trustedDevices.revokedAt),
        gt(trustedDevices.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: trustedDevices.id });
  if (replayed.length === 0) return { trusted: false, replayed: false };
  // Whichever of the two browsers used it last may be the copy: nothing it completed becomes a session.
  await cancelOpenChallenges(ex, userId, { completedWith: "trusted_device" });
  for (const { id } of replayed) await recordAudit(ex, { type: "trusted_device.replayed", userId, data: { deviceId: id }, ...meta });
  return { trusted: false, replayed: true };
}

/** Emails the owner that a remembered-device cookie was replayed (after the revocation committed). */
export async function announceDeviceReplay(userId: string, meta: RequestMeta): Promise<void> {
  await notifyUser(
    userId,
    "A remembered device was signed out",
    [
      "A remembered-device cookie was used twice: someone may have copied it; we signed that device out.",
      "Whoever used it also entered your password. Change your password now, then sign out your other sessions under Settings → Security.",
    ],
    meta,
  );
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

/**
 * Signs out the user's remembered devices — one (`deviceId`), those remembered under a
 * team's period (`periodTeamId`), or all — in the caller's transaction, audited with the
 * reason. Returns how many.
 */
export async function revokeTrustedDevices(
  ex: Executor,
  userId: string,
  meta: RequestMeta,
  scope: { reason: RevocationReason; deviceId?: string; periodTeamId?: string },
): Promise<number> {
  const revoked = await ex
    .update(trustedDevices)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(trustedDevices.userId, userId),
        isNull(trustedDevices.revokedAt),
        scope.deviceId ? eq(trustedDevices.id, scope.deviceId) : undefined,
        scope.periodTeamId ? eq(trustedDevices.periodTeamId, scope.periodTeamId) : undefined,
      ),
    )
    .returning({ id: trustedDevices.id });
  if (revoked.length > 0) {
    // A sign-in that a revoked device already completed must not become a session.
    await cancelOpenChallenges(ex, userId, { completedWith: "trusted_device" });
    await recordAudit(ex, {
      type: "trusted_device.revoked",
      userId,
      data: { count: revoked.length, reason: scope.reason, ...(scope.deviceId ? { deviceId: scope.deviceId } : {}) },
      ...meta,
    });
  }
  return revoked.length;
}
