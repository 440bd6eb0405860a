import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { keyCheck } from "@/lib/db/schema";

const KEY_A = "instance-a-secret-of-at-least-32-characters";
const KEY_B = "instance-b-secret-of-at-least-32-characters";
const KEY_C = "the-new-secret-after-rotation-32-characters";

let root: string;

/**
 * One server process on this test's database: its own environment and a fresh module graph,
 * so its master secret is resolved anew (the database connection is shared through globalThis).
 */
async function instance(env: Record<string, string>) {
  vi.unstubAllEnvs();
  vi.stubEnv("TESSERA_SECRET", "");
  vi.stubEnv("TESSERA_SECRET_PREVIOUS", "");
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  vi.resetModules();
  const crypto = await import("./crypto");
  const { checkKeyAgainstDatabase } = await import("./key-check");
  return { ...crypto, start: () => checkKeyAgainstDatabase(db()) };
}

/** A server with no TESSERA_SECRET in development: a key generated into its own config folder. */
const generatedKeyInstance = (name: string) =>
  instance({
    NODE_ENV: "development",
    XDG_CONFIG_HOME: path.join(root, name, "config"),
    TESSERA_DATA_DIR: path.join(root, name, "data"),
  });

const stored = async () => (await db().select().from(keyCheck))[0]?.value;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-key-check-"));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("two instances with different keys on one database", () => {
  it("the second one refused every right code, silently; now it does not start, and says what to do", async () => {
    const a = await instance({ TESSERA_SECRET: KEY_A });
    await a.start();
    const hash = a.keyedHash("483920", "otp-code");
    const sealed = a.encrypt("JBSWY3DPEHPK3PXP", "totp:someone");

    // What a person met on the second instance before: the right code is wrong, the TOTP secret unreadable.
    const b = await instance({ TESSERA_SECRET: KEY_B });
    expect(b.matchesKeyedHash("483920", hash, "otp-code")).toBe(false);
    expect(() => b.decrypt(sealed, "totp:someone")).toThrow();

    await expect(b.start()).rejects.toThrow(
      /TESSERA_SECRET is not the secret this database's data was sealed with: .* Set TESSERA_SECRET to the secret the other instances use .*TESSERA_SECRET_PREVIOUS/,
    );
    // The first instance still starts, and the record is still its key's.
    await (await instance({ TESSERA_SECRET: KEY_A })).start();
  });

  it("a generated development key (another data folder, or a container's fresh disk) is refused the same way", async () => {
    const first = await generatedKeyInstance("laptop");
    await first.start();
    await (await generatedKeyInstance("laptop")).start();

    const other = await generatedKeyInstance("container");
    await expect(other.start()).rejects.toThrow(/The development key at .*container.* is not the secret this database's data was sealed with/);
  });

  it("the database keeps a check value of the key, never the key", async () => {
    const a = await instance({ TESSERA_SECRET: KEY_A });
    expect(await stored()).toBeUndefined();
    await a.start();
    const value = await stored();
    expect(value).toMatch(/^[\w-]{43}$/);
    expect(value).not.toContain(KEY_A);
    expect(value).not.toBe(Buffer.from(KEY_A).toString("base64url"));
    await a.start();
    expect(await stored()).toBe(value);
  });
});

describe("rotating TESSERA_SECRET", () => {
  it("the previous secret matching: the start goes on and the record moves to the new secret", async () => {
    await (await instance({ TESSERA_SECRET: KEY_A })).start();
    const before = await stored();

    await (await instance({ TESSERA_SECRET: KEY_C, TESSERA_SECRET_PREVIOUS: KEY_A })).start();
    expect(await stored()).not.toBe(before);
    // The new secret alone now starts; the old one alone no longer does.
    await (await instance({ TESSERA_SECRET: KEY_C })).start();
    await expect((await instance({ TESSERA_SECRET: KEY_A })).start()).rejects.toThrow(/is not the secret this database's data was sealed with/);
  });

  it("a previous secret that is not the database's either is refused", async () => {
    await (await instance({ TESSERA_SECRET: KEY_A })).start();
    await expect((await instance({ TESSERA_SECRET: KEY_C, TESSERA_SECRET_PREVIOUS: KEY_B })).start()).rejects.toThrow(
      /nor is TESSERA_SECRET_PREVIOUS/,
    );
  });
});
