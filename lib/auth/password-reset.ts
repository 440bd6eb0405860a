import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { factors, passwordResets, users, type FactorKind } from "@/lib/db/schema";
import { countRecoveryCodes } from "@/lib/factors/recovery/recovery-codes";
import { revokeTrustedDevices } from "@/lib/factors/trusted-devices";
import { send } from "@/lib/messaging";
import { notifyUser } from "@/lib/notifications";
import { clearRateLimit, rateLimit } from "@/lib/rate-limit";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { cancelOpenChallenges } from "./challenge";
import { endSessions } from "./sessions";
import { hashPassword } from "./password";
import { greeting } from "@/lib/messaging/display-name";
import { log } from "@/lib/log";

export const RESET_TTL_MINUTES = 30;
const PER_EMAIL = { limit: 3, windowSeconds: 3600 };
const PER_IP = { limit: 20, windowSeconds: 3600 };

/**
 * Emails a single-use reset link (30 minutes) when the account exists. The answer is the
 * same either way and comes before any lookup or email (`delivered` runs on after it), so
 * neither the answer nor its timing reveals accounts; limits apply to unknown addresses too.
 */
export async function requestPasswordReset(email: string, meta: RequestMeta): Promise<{ ok: true; delivered: Promise<void> } | { ok: false; message: string }> {
  const byEmail = await rateLimit(`reset:email:${email}`, PER_EMAIL);
  const byIp = meta.ip ? await rateLimit(`reset:ip:${meta.ip}`, PER_IP) : { allowed: true };
  if (!byEmail.allowed || !byIp.allowed) return { ok: false, message: "Too many reset requests. Try again in an hour." };
  const delivered = deliverResetLink(email, meta).catch((error) => {
    log.error("auth.password_reset_email_failed", {}, error);
  });
  return { ok: true, delivered };
}

async function deliverResetLink(email: string, meta: RequestMeta): Promise<void> {
  const [user] = await db().select({ id: users.id, name: users.name }).from(users).where(eq(sql`lower(${users.email})`, email));
  if (!user) return;
  const token = randomToken();
  await db().transaction(async (tx) => {
    await tx.insert(passwordResets).values({
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt: sql`now() + (${RESET_TTL_MINUTES} * interval '1 minute')`,
    });
    await recordAudit(tx, { type: "password.reset_requested", userId: user.id, ...meta });
  });
  const link = new URL(`/reset-password?token=${token}`, config.appUrl).toString();
  await send({
    channel: "email",
    to: email,
    subject: "Reset your Tessera password",
    text: [
      greeting(user.name),
      "",
      `Someone asked to reset the password of your Tessera account. To choose a new one, open this link within ${RESET_TTL_MINUTES} minutes:`,
      "",
      link,
      "",
      "The link works once. Your second factor is still needed to sign in afterwards — and since this link came by email, an email code won't count as that second factor the first time.",
      "If you didn't ask for this, ignore this email: your password stays as it is.",
    ].join("\n"),
  });
}

/**
 * What the reset page says will be asked at the next sign-in, for a live link (null
 * otherwise): an account with an email factor is told the email code will not count and
 * which of its other factors, or how many recovery codes, it can use instead.
 */
export async function describeResetLink(token: string): Promise<{ emailFactor: boolean; otherKinds: FactorKind[]; recoveryCodesLeft: number } | null> {
  if (!token) return null;
  const [row] = await db()
    .select({ userId: passwordResets.userId })
    .from(passwordResets)
    .where(and(eq(passwordResets.tokenHash, hashToken(token)), isNull(passwordResets.consumedAt), gt(passwordResets.expiresAt, sql`now()`)));
  if (!row) return null;
  const [kinds, recoveryCodesLeft] = await Promise.all([
    db().selectDistinct({ kind: factors.kind }).from(factors).where(eq(factors.userId, row.userId)),
    countRecoveryCodes(row.userId),
  ]);
  return { emailFactor: kinds.some((k) => k.kind === "email"), otherKinds: kinds.map((k) => k.kind).filter((k) => k !== "email"), recoveryCodesLeft };
}

/** True when `token` is a live reset link (for showing the form, not for using it). */
export async function isResetTokenLive(token: string): Promise<boolean> {
  return (await describeResetLink(token)) !== null;
}

/**
 * Sets a new password through a reset link, once. Every session and remembered device of
 * the account ends — so the next sign-in asks for the second factor again — and other
 * links die.
 */
export async function resetPassword(token: string, password: string, meta: RequestMeta): Promise<{ ok: true } | { ok: false; message: string }> {
  const passwordHash = await hashPassword(password);
  const userId = await db().transaction(async (tx) => {
    const reset = await consumeOnce(tx, passwordResets, and(eq(passwordResets.tokenHash, hashToken(token)), gt(passwordResets.expiresAt, sql`now()`))!);
    if (!reset) return null;
    // The mailbox that reset the password must not also be the second factor: the next sign-in
    // needs another factor or a recovery code (lib/factors/methods.ts listSignInMethods).
    const hasEmailFactor = sql`exists (select 1 from ${factors} where ${factors.userId} = ${reset.userId} and ${factors.kind} = 'email')`;
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailFactorSuspendedAt: sql`case when ${hasEmailFactor} then now() else ${users.emailFactorSuspendedAt} end` })
      .where(eq(users.id, reset.userId))
      .returning({ email: users.email });
    // Whoever reads the mailbox owns the account: lift a password lockout someone else caused.
    await clearRateLimit(`signin:lock:${user!.email}`, tx);
    await clearRateLimit(`signin:fail:${user!.email}`, tx);
    await tx.update(passwordResets).set({ consumedAt: sql`now()` }).where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.consumedAt)));
    await endSessions(tx, reset.userId);
    await revokeTrustedDevices(tx, reset.userId, meta, { reason: "password_reset" });
    await cancelOpenChallenges(tx, reset.userId);
    await recordAudit(tx, { type: "password.reset", userId: reset.userId, ...meta });
    return reset.userId;
  });
  if (!userId) return { ok: false, message: "This link has expired or was already used. Ask for a new one." };
  await notifyUser(userId, "Your password was changed", ["The password of your Tessera account was just reset. Every session was signed out."], meta);
  return { ok: true };
}
