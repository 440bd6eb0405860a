import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import type { Executor } from "@/lib/db";
import { factors, type Factor } from "@/lib/db/schema";
import { decrypt, encrypt } from "@/lib/security/crypto";

/** SHA-1, 6 digits, 30 s: the only parameters every authenticator app accepts. */
export const TOTP_PERIOD = 30;
const ISSUER = "Tessera";

/** A new 160-bit base32 secret (RFC 4226's recommended length). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI for the QR code: otpauth://totp/Tessera:<email>?secret=…&issuer=Tessera. */
export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: ISSUER, label: email, secret, algorithm: "sha1", digits: 6, period: TOTP_PERIOD });
}

/** The secret in groups of four, for people who type it. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** The time step a valid code belongs to, or null. Accepts ±1 step of clock drift. */
export async function matchTotp(secret: string, input: string, epoch = Math.floor(Date.now() / 1000)): Promise<number | null> {
  const token = input.replace(/[\s-]/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({ secret, token, epoch, epochTolerance: TOTP_PERIOD, period: TOTP_PERIOD });
  return result.valid ? Math.floor(epoch / TOTP_PERIOD) + result.delta : null;
}

export const sealTotpSecret = (secret: string, userId: string) => encrypt(secret, `totp:${userId}`);
export const openTotpSecret = (sealed: string, userId: string) => decrypt(sealed, `totp:${userId}`);

/** What a TOTP check found: a valid code for this factor that was already used is a `replayed` one. */
export type TotpCheck = "accepted" | "replayed" | "rejected";

/**
 * Checks a code against an enrolled TOTP factor. A code is accepted at most once: the
 * factor's last accepted step only moves forward, in one conditional UPDATE, so a replay —
 * even a concurrent one — of the same or an older code fails. A replay is told apart from a
 * wrong code because it means someone saw a real code (over a shoulder, through a phishing
 * page): the owner must hear of it.
 */
export async function verifyTotpFactor(ex: Executor, factor: Factor, input: string): Promise<TotpCheck> {
  if (factor.kind !== "totp" || !factor.secretEncrypted) return "rejected";
  const secret = openTotpSecret(factor.secretEncrypted, factor.userId);
  const step = await matchTotp(secret, input);
  if (step === null) return "rejected";
  const [row] = await ex
    .update(factors)
    // Re-sealed on every use, so a secret rotation migrates each factor as it is used.
    .set({ lastTotpStep: step, lastUsedAt: sql`now()`, secretEncrypted: sealTotpSecret(secret, factor.userId) })
    .where(and(eq(factors.id, factor.id), or(isNull(factors.lastTotpStep), lt(factors.lastTotpStep, step))))
    .returning({ id: factors.id });
  return row ? "accepted" : "replayed";
}
