import { randomBytes, hkdfSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";

const KEY_FILE = "secret.key";

let master: Buffer | undefined;

/**
 * The server's master secret: TESSERA_SECRET, or in its absence a random key created once
 * in the data folder (mode 0600), so a fresh machine needs no configuration. Every other
 * key (session signing, code hashing, encryption) is derived from it with HKDF.
 */
function masterSecret(): Buffer {
  if (master) return master;
  const fromEnv = config.secret;
  if (fromEnv !== undefined) {
    if (fromEnv.length < 32) throw new Error("TESSERA_SECRET must be at least 32 characters long.");
    master = Buffer.from(fromEnv, "utf8");
    return master;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, KEY_FILE);
  try {
    // "wx" fails if the file exists, so two processes starting together agree on one key.
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  master = Buffer.from(fs.readFileSync(file, "utf8").trim(), "utf8");
  return master;
}

/** A 32-byte key for one purpose; different purposes never share key material. */
export function deriveKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", masterSecret(), Buffer.alloc(0), `tessera:${purpose}`, 32));
}

/**
 * The same key under TESSERA_SECRET_PREVIOUS, while a rotation is under way: data sealed
 * before the rotation still opens (README, "Rotating TESSERA_SECRET").
 */
export function derivePreviousKey(purpose: string): Buffer | undefined {
  const previous = process.env.TESSERA_SECRET_PREVIOUS;
  if (!previous) return undefined;
  return Buffer.from(hkdfSync("sha256", Buffer.from(previous, "utf8"), Buffer.alloc(0), `tessera:${purpose}`, 32));
}
