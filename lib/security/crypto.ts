import "server-only";
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { derivePreviousKey, deriveKey } from "./secret";

const VERSION = "v1";

/**
 * AES-256-GCM under a key derived from the master secret. The output carries a version,
 * the random 96-bit IV and the tag: `v1.<iv>.<tag>.<ciphertext>` (base64url). `context`
 * is bound as additional data, so a ciphertext moved to another row does not decrypt.
 */
export function encrypt(plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", deriveKey("encryption"), iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

/** Opens a `v1.` ciphertext; during a secret rotation, one sealed under the previous secret too. */
export function decrypt(sealed: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("Unreadable ciphertext");
  const open = (key: Buffer) => {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
  };
  try {
    return open(deriveKey("encryption"));
  } catch (error) {
    const previous = derivePreviousKey("encryption");
    if (!previous) throw error;
    return open(previous);
  }
}

/**
 * HMAC-SHA-256 of a low-entropy secret (one-time and recovery codes) under a server key:
 * a database dump alone does not let anyone brute-force the codes (NIST SP 800-63B).
 */
export function keyedHash(value: string, purpose: string, key = deriveKey(`hash:${purpose}`)): string {
  return createHmac("sha256", key).update(value).digest("base64url");
}

/** Compares a value with a stored keyed hash in constant time (under the previous secret too, mid-rotation). */
export function matchesKeyedHash(value: string, stored: string, purpose: string): boolean {
  const b = Buffer.from(stored);
  const same = (key: Buffer) => {
    const a = Buffer.from(keyedHash(value, purpose, key));
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const previous = derivePreviousKey(`hash:${purpose}`);
  return same(deriveKey(`hash:${purpose}`)) || (previous !== undefined && same(previous));
}
