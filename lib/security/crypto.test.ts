import { afterEach, describe, expect, it, vi } from "vitest";

// Each case picks its own secrets, so the key cache in secret.ts must start empty.
async function load(secret: string, previous?: string) {
  vi.resetModules();
  vi.stubEnv("TESSERA_SECRET", secret);
  vi.stubEnv("TESSERA_SECRET_PREVIOUS", previous ?? "");
  return import("./crypto");
}
afterEach(() => vi.unstubAllEnvs());

const OLD = "old-secret-old-secret-old-secret-0000";
const NEW = "new-secret-new-secret-new-secret-1111";

describe("encryption at rest", () => {
  it("seals with AES-256-GCM: random IV, authenticated, bound to its context", async () => {
    const { decrypt, encrypt } = await load(OLD);
    const a = encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "totp:user-1");
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toContain("JBSWY3DP");
    expect(encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "totp:user-1")).not.toBe(a);
    expect(decrypt(a, "totp:user-1")).toBe("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    expect(() => decrypt(a, "totp:user-2")).toThrow();
    const tampered = a.slice(0, -2) + (a.endsWith("A") ? "B" : "A") + a.slice(-1);
    expect(() => decrypt(tampered, "totp:user-1")).toThrow();
  });

  it("opens data sealed under TESSERA_SECRET_PREVIOUS during a rotation, and not after it", async () => {
    const sealed = (await load(OLD)).encrypt("secret", "ctx");
    const hashed = (await load(OLD)).keyedHash("k7fq-2m9x-tp4a", "recovery-code");
    const rotating = await load(NEW, OLD);
    expect(rotating.decrypt(sealed, "ctx")).toBe("secret");
    expect(rotating.matchesKeyedHash("k7fq-2m9x-tp4a", hashed, "recovery-code")).toBe(true);
    const rotated = await load(NEW);
    expect(() => rotated.decrypt(sealed, "ctx")).toThrow();
    expect(rotated.matchesKeyedHash("k7fq-2m9x-tp4a", hashed, "recovery-code")).toBe(false);
  });

  it("keys codes with HMAC: a different server secret gives a different hash", async () => {
    const a = (await load(OLD)).keyedHash("123456", "otp");
    const b = (await load(NEW)).keyedHash("123456", "otp");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[\w-]{43}$/);
  });
});
