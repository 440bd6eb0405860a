import "server-only";
import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";
import { log } from "@/lib/log";

/** Where versions before this one generated the development key: beside the database. */
const LEGACY_KEY_FILE = "secret.key";
/** A fingerprint of the key a data folder was created with (not the key): a lost key is noticed, never replaced unseen. */
const KEY_ID_FILE = "secret.id";

let master: Buffer | undefined;

/**
 * The server's master secret, cached for the process. Every other key (session signing,
 * code hashing, encryption) is derived from it with HKDF (`deriveKey`).
 */
function masterSecret(): Buffer {
  master ??= resolveMasterSecret();
  return master;
}

/** Resolves the master secret now; the server calls it at start, so a refusal stops it with the reason. */
export function loadMasterSecret(): void {
  masterSecret();
}

/**
 * TESSERA_SECRET when set. Otherwise — only for a server that people reach on this machine —
 * a random key generated once into the OS user's config folder (`$XDG_CONFIG_HOME/tessera`,
 * else `~/.config/tessera`), one per data folder, mode 0600. It is not kept in the data
 * folder: a copy of ./.data (a backup, a shared archive, a laptop's synced folder) then
 * holds ciphertexts and HMACs but not what opens them. A key already in the data folder
 * (made by earlier versions) is still used where it is, with a warning, so no development
 * database is ever locked out. Exported for its tests; the server uses `masterSecret`.
 */
export function resolveMasterSecret(warn: (message: string) => void = (message) => log.warn("secret.key_beside_data", { message })): Buffer {
  const fromEnv = config.secret;
  if (fromEnv !== undefined) {
    if (fromEnv.length < 32) throw new Error("TESSERA_SECRET must be at least 32 characters long.");
    return Buffer.from(fromEnv, "utf8");
  }
  const refusal = missingProductionSecret();
  if (refusal) throw new Error(refusal);

  const legacy = path.join(config.dataDir, LEGACY_KEY_FILE);
  if (fs.existsSync(legacy)) {
    warn(
      `Tessera: the development key is at ${legacy}, beside the database, so a copy of that folder opens everything in it. ` +
        `Move it out with: mkdir -p ${path.dirname(developmentKeyPath())} && mv ${legacy} ${developmentKeyPath()} (or set TESSERA_SECRET).`,
    );
    return checkedAgainstDataDir(readKey(legacy));
  }
  const file = developmentKeyPath();
  if (!fs.existsSync(file) && fs.existsSync(path.join(config.dataDir, KEY_ID_FILE))) {
    throw new Error(
      `The data folder ${config.dataDir} was created with a development key that is no longer at ${file}. ` +
        "Put that key file back, or set TESSERA_SECRET to the secret the data was created with: a new key would not open its encrypted data.",
    );
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // "wx" fails if the file exists, so two processes starting together agree on one key.
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return checkedAgainstDataDir(readKey(file));
}

/** Two ways to make a secret, named in the refusals below. */
const MAKE_SECRET = "openssl rand -base64 48";
const MAKE_SECRET_NODE = `node -e "console.log(require('node:crypto').randomBytes(48).toString('base64'))"`;

const isPostgresUrl = (url: string | undefined) => !!url && /^postgres(ql)?:\/\//.test(url);

/**
 * The rule for generating a key: only while NEXTAUTH_URL is on this machine (localhost,
 * 127.0.0.0/8, ::1), or in development. A production build (`npm start`) served on any other
 * host, or over https on one, is reached by other people: it refuses to start without
 * TESSERA_SECRET, since a generated key would live and die with one machine's home folder.
 * So does a production build on PostgreSQL, wherever it is served: a database server is
 * shared by instances and outlives containers, and each of those would generate a key of its
 * own that opens none of the others' data. `npm start` on a fresh machine (embedded PGlite)
 * and the e2e suite (http://localhost) keep working.
 */
export function missingProductionSecret(): string | null {
  if (config.isProduction && isPostgresUrl(config.databaseUrl)) {
    return (
      "TESSERA_SECRET is not set, and DATABASE_URL names a PostgreSQL server. Every instance on that database, and every restart on a new disk, " +
      "must seal and open its data with one secret; a generated key lives on one machine's disk, and another instance's key would refuse every right code. " +
      `Make one with \`${MAKE_SECRET}\` (or \`${MAKE_SECRET_NODE}\`) and set it as TESSERA_SECRET, the same on every instance.`
    );
  }
  const url = config.appUrl;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const local = host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
  if (local || !(config.isProduction || url.protocol === "https:")) return null;
  return (
    `TESSERA_SECRET is not set. This server is served at ${url.origin}, so it needs its own master secret: ` +
    `set TESSERA_SECRET to 32 or more random characters (e.g. the output of \`${MAKE_SECRET}\`), the same on every instance. ` +
    "Tessera generates a key by itself only for a server on localhost."
  );
}

/** Where the master secret comes from, as an operator would look for it (in start-up messages). */
export function masterSecretSource(): string {
  if (config.secret !== undefined) return "TESSERA_SECRET";
  const legacy = path.join(config.dataDir, LEGACY_KEY_FILE);
  return `The development key at ${fs.existsSync(legacy) ? legacy : developmentKeyPath()}`;
}

/** `<config>/tessera/keys/<data folder's name, no leading dot>-<hash of its absolute path>.key`: one key per data folder. */
export function developmentKeyPath(): string {
  const dir = config.dataDir;
  const name = path.basename(dir).replace(/[^\w.-]/g, "_").replace(/^\.+/, "") || "data";
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 16);
  return path.join(config.configDir, "keys", `${name}-${hash}.key`);
}

function readKey(file: string): Buffer {
  return Buffer.from(fs.readFileSync(file, "utf8").trim(), "utf8");
}

/**
 * Records which key the data folder belongs to (a fingerprint, useless without the key) or,
 * when one is recorded, refuses another key: it could not open the folder's data.
 */
function checkedAgainstDataDir(key: Buffer): Buffer {
  const id = createHmac("sha256", key).update("tessera:key-id").digest("base64url").slice(0, 22);
  const file = path.join(config.dataDir, KEY_ID_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${id}\n`, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const recorded = fs.readFileSync(file, "utf8").trim();
    if (recorded !== id) {
      throw new Error(
        `The development key at ${developmentKeyPath()} is not the one the data folder ${config.dataDir} was created with. ` +
          "Put the right key file back, or set TESSERA_SECRET to the secret the data was created with.",
      );
    }
  }
  return key;
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
  const previous = config.previousSecret;
  if (!previous) return undefined;
  return Buffer.from(hkdfSync("sha256", Buffer.from(previous, "utf8"), Buffer.alloc(0), `tessera:${purpose}`, 32));
}
