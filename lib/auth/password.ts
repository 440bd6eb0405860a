import { randomBytes } from "node:crypto";
import { scryptHash, scryptVerify } from "@/lib/security/kdf";

// scrypt N=2^15, r=8, p=1 (32 MiB, ~60–100 ms here): OWASP's recommended minimum is N=2^17
// with r=8 only when memory allows; 2^15 keeps sign-in fast on a 2-core server while still
// costing an attacker 32 MiB per guess. Parameters travel with each hash, so raising them
// later only needs a re-hash at the next sign-in.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };

/** `scrypt$N$r$p$salt$hash`, with a fresh 16-byte salt per hash. */
export async function hashPassword(password: string): Promise<string> {
  return scryptHash(password.normalize("NFKC"), PARAMS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  return scryptVerify(stored, password.normalize("NFKC"));
}

/**
 * A hash of a random password, verified when the email is unknown so that an unknown
 * email and a wrong password take the same time (no user enumeration by timing).
 */
let dummy: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
}
