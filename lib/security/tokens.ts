import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A URL-safe random token with `bytes` bytes of entropy (default 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * SHA-256 of a high-entropy token, for lookups by hash. Only for tokens of ≥ 128 random
 * bits: low-entropy codes must be keyed (HMAC) instead, or a database dump reveals them.
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
