import { eq, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { clearRateLimit, peekRateLimit, rateLimit } from "@/lib/rate-limit";
import { listSignInMethods } from "@/lib/factors/methods";
import { announceDeviceReplay, useTrustedDevice, type DeviceUse } from "@/lib/factors/trusted-devices";
import { createChallenge } from "./challenge";
import { sendChallengeCode } from "./second-factor";
import { authFailure, type AuthFailure } from "./errors";
import type { SignInInput } from "./input";
import { dummyPasswordHash, verifyPassword } from "./password";

/** Wrong passwords for one account within the window before it locks, and the lock's length. */
export const ACCOUNT_FAILURE_LIMIT = { limit: 10, windowSeconds: 15 * 60 };
export const ACCOUNT_LOCK_SECONDS = 15 * 60;
/** Password attempts per IP address: far above one person, far below a credential-stuffing run. */
export const IP_ATTEMPT_LIMIT = { limit: 100, windowSeconds: 15 * 60 };

export type PasswordStepResult =
  /** `trustedDevice`: the remembered-device cookie was used up; this is its new token (set it again). */
  | { ok: true; challengeToken: string; expiresAt: Date; secondFactorRequired: boolean; trustedDevice?: { token: string; expiresAt: Date } }
  | AuthFailure;

const keys = {
  failures: (email: string) => `signin:fail:${email}`,
  lock: (email: string) => `signin:lock:${email}`,
  ip: (ip: string) => `signin:ip:${ip}`,
};

/**
 * The first step of sign-in. A correct password creates a sign-in challenge, never a
 * session. Unknown emails and wrong passwords answer alike and take the same time.
 * Limits are keyed by the email as typed, so they apply to unknown addresses too and
 * reveal nothing about which accounts exist.
 */
export async function passwordStep(input: SignInInput, meta: RequestMeta, trustedDeviceToken?: string): Promise<PasswordStepResult> {
  const lock = await peekRateLimit(keys.lock(input.email));
  if (lock.count > 0) return authFailure("ACCOUNT_LOCKED", lock.retryAfterSeconds);
  if (meta.ip) {
    const perIp = await rateLimit(keys.ip(meta.ip), IP_ATTEMPT_LIMIT);
    if (!perIp.allowed) return authFailure("RATE_LIMITED", perIp.retryAfterSeconds);
  }

  // Count the attempt before the (slow) password check: a burst of parallel guesses must
  // not all slip past the lock before the first of them is counted.
  const attempt = await rateLimit(keys.failures(input.email), ACCOUNT_FAILURE_LIMIT);
  const [user] = await db()
    .select({ id: users.id, passwordHash: users.passwordHash, enrollRequiredBy: users.enrollRequiredBy })
    .from(users)
    .where(eq(sql`lower(${users.email})`, input.email));
  if (!attempt.allowed) return recordFailure(input.email, user?.id, meta, attempt.count);
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);

  if (!user || !passwordOk) return recordFailure(input.email, user?.id, meta, attempt.count);

  await clearRateLimit(keys.failures(input.email));
  // A remembered browser stands in for the second factor; without a factor there is none to
  // ask — unless an admin reset was used and no factor enrolled since: then the challenge waits
  // for a code sent to the account's address (lib/auth/admin-reset.ts), at every sign-in.
  const { methods, policy, emailSuspended } = await listSignInMethods(user.id);
  // A suspended email factor is still a factor: the challenge then takes another one or a recovery code.
  const hasFactor = methods.length > 0 || emailSuspended;
  // The device's token is used up and the challenge created in one transaction: a new token is never issued for a sign-in that did not start.
  const { challenge, device, completedWith } = await db().transaction(async (tx) => {
    const device: DeviceUse = hasFactor ? await useTrustedDevice(tx, user.id, trustedDeviceToken, policy, meta) : { trusted: false, replayed: false };
    const completedWith = !hasFactor ? (user.enrollRequiredBy ? null : "password") : device.trusted ? "trusted_device" : null;
    const challenge = await createChallenge(tx, { userId: user.id, completedWith, ...meta });
    return { challenge, device, completedWith };
  });
  if (!device.trusted && device.replayed) await announceDeviceReplay(user.id, meta);
  // When the default method is an emailed or texted code, it is on its way before the challenge screen shows.
  const defaultKind = methods[0]?.kind;
  if (completedWith === null && (defaultKind === "email" || defaultKind === "sms")) await sendChallengeCode(challenge.token, defaultKind, meta);
  return {
    ok: true,
    challengeToken: challenge.token,
    expiresAt: challenge.expiresAt,
    secondFactorRequired: completedWith === null,
    trustedDevice: device.trusted ? { token: device.token, expiresAt: device.expiresAt } : undefined,
  };
}

async function recordFailure(email: string, userId: string | undefined, meta: RequestMeta, attempts: number): Promise<AuthFailure> {
  const locking = attempts >= ACCOUNT_FAILURE_LIMIT.limit;
  await db().transaction(async (tx) => {
    if (locking) await rateLimit(keys.lock(email), { limit: 1, windowSeconds: ACCOUNT_LOCK_SECONDS }, tx);
    if (userId) {
      await recordAudit(tx, { type: "sign_in.password_failed", userId, data: { method: "password" }, ...meta });
      if (locking) await recordAudit(tx, { type: "sign_in.locked", userId, data: { method: "password" }, ...meta });
    }
  });
  return locking ? authFailure("ACCOUNT_LOCKED", ACCOUNT_LOCK_SECONDS) : authFailure("INVALID_CREDENTIALS");
}
