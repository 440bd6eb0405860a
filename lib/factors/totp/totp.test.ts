import { eq } from "drizzle-orm";
import { generate } from "otplib";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { factors, type Factor } from "@/lib/db/schema";
import { addTotpFactor, createUser, meta, nowSeconds, totpCode } from "@/tests/helpers";
import { beginTotp, finishTotp } from "./enroll";
import { groupSecret, matchTotp, newTotpSecret, openTotpSecret, sealTotpSecret, TOTP_PERIOD, totpUri, verifyTotpFactor } from "./totp";

/** RFC 6238 Appendix B: the ASCII secret "12345678901234567890", SHA-1, 30 s steps, 8 digits. */
const RFC_SECRET = Buffer.from("12345678901234567890", "ascii");
const RFC_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_VECTORS: [epoch: number, code: string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const BASE32 = /^[A-Z2-7]+$/;

async function factorRow(factorId: string): Promise<Factor> {
  const [row] = await db().select().from(factors).where(eq(factors.id, factorId));
  return row!;
}

describe("RFC 6238 Appendix B (SHA-1)", () => {
  it("the base32 secret is the RFC's ASCII secret", () => {
    expect(Buffer.from(decodeBase32(RFC_SECRET_BASE32)).equals(RFC_SECRET)).toBe(true);
  });

  it.each(RFC_VECTORS)("at T=%i the 8-digit code is %s", async (epoch, code) => {
    expect(await generate({ secret: RFC_SECRET_BASE32, epoch, digits: 8, algorithm: "sha1", period: 30 })).toBe(code);
  });

  it.each(RFC_VECTORS)("at T=%i matchTotp accepts the last 6 digits of %s, in that time step", async (epoch, code) => {
    expect(await matchTotp(RFC_SECRET_BASE32, code.slice(-6), epoch)).toBe(Math.floor(epoch / TOTP_PERIOD));
  });

  it.each(RFC_VECTORS.filter(([epoch]) => epoch > 60))("T=%i: accepts ±1 step of drift, refuses ±2", async (epoch, code) => {
    const step = Math.floor(epoch / TOTP_PERIOD);
    const token = code.slice(-6);
    expect(await matchTotp(RFC_SECRET_BASE32, token, epoch + 30)).toBe(step);
    expect(await matchTotp(RFC_SECRET_BASE32, token, epoch - 30)).toBe(step);
    expect(await matchTotp(RFC_SECRET_BASE32, token, epoch + 60)).toBeNull();
    expect(await matchTotp(RFC_SECRET_BASE32, token, epoch - 60)).toBeNull();
  });

  it("accepts the code typed with a space or dash; refuses wrong, short and non-digit input", async () => {
    const [epoch, code] = RFC_VECTORS[3]!;
    const token = code.slice(-6);
    expect(await matchTotp(RFC_SECRET_BASE32, `${token.slice(0, 3)} ${token.slice(3)}`, epoch)).not.toBeNull();
    expect(await matchTotp(RFC_SECRET_BASE32, `${token.slice(0, 3)}-${token.slice(3)}`, epoch)).not.toBeNull();
    const wrong = String((Number(token) + 1) % 1_000_000).padStart(6, "0");
    expect(await matchTotp(RFC_SECRET_BASE32, wrong, epoch)).toBeNull();
    expect(await matchTotp(RFC_SECRET_BASE32, token.slice(1), epoch)).toBeNull();
    expect(await matchTotp(RFC_SECRET_BASE32, code, epoch)).toBeNull(); // the 8-digit form
    expect(await matchTotp(RFC_SECRET_BASE32, "abcdef", epoch)).toBeNull();
    expect(await matchTotp(RFC_SECRET_BASE32, "", epoch)).toBeNull();
  });
});

describe("authenticator app setup data", () => {
  it("a new secret is 32 base32 characters (160 bits), different every time", () => {
    const secrets = Array.from({ length: 20 }, newTotpSecret);
    for (const secret of secrets) {
      expect(secret).toHaveLength(32);
      expect(secret).toMatch(BASE32);
      expect(decodeBase32(secret)).toHaveLength(20);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it("the QR code URI is otpauth://totp/Tessera:<email>?secret=…&issuer=Tessera", () => {
    const email = "ada+work@example.com";
    const uri = totpUri(RFC_SECRET_BASE32, email);
    expect(uri.startsWith("otpauth://totp/Tessera:")).toBe(true);
    const url = new URL(uri);
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname.slice(1))).toBe(`Tessera:${email}`);
    expect(url.searchParams.get("secret")).toBe(RFC_SECRET_BASE32);
    expect(url.searchParams.get("issuer")).toBe("Tessera");
    // Parameters other than the defaults would break Google Authenticator; defaults may be spelled out.
    expect(url.searchParams.get("algorithm") ?? "SHA1").toBe("SHA1");
    expect(url.searchParams.get("digits") ?? "6").toBe("6");
    expect(url.searchParams.get("period") ?? "30").toBe("30");
    expect(uri).toBe(`otpauth://totp/Tessera:${encodeURIComponent(email)}?secret=${RFC_SECRET_BASE32}&issuer=Tessera`);
  });

  it("groups the secret in fours for typing, losing nothing", () => {
    expect(groupSecret(RFC_SECRET_BASE32)).toBe("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
    expect(groupSecret("ABCDEF")).toBe("ABCD EF");
    const secret = newTotpSecret();
    expect(groupSecret(secret).replace(/ /g, "")).toBe(secret);
  });

  it("beginTotp returns the URI, the secret and its grouped form for the user", () => {
    const setup = beginTotp({ id: "00000000-0000-4000-8000-000000000000", email: "ada@example.com" });
    expect(setup.secret).toMatch(BASE32);
    expect(setup.uri).toContain(`secret=${setup.secret}`);
    expect(setup.groupedSecret.replace(/ /g, "")).toBe(setup.secret);
    expect(setup.enrollment).not.toContain(setup.secret);
  });
});

describe("verifyTotpFactor: a code is accepted at most once, and a second use is told apart", () => {
  it("accepts the current code once and refuses its replay", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const code = await totpCode(secret);
    expect(await verifyTotpFactor(db(), await factorRow(factorId), code)).toBe("accepted");
    expect(await verifyTotpFactor(db(), await factorRow(factorId), code)).toBe("replayed");
    // Even with a stale copy of the factor, which still shows no accepted step.
    const stale = { ...(await factorRow(factorId)), lastTotpStep: null };
    expect(await verifyTotpFactor(db(), stale, code)).toBe("replayed");
  });

  it("refuses an older step's code after a newer one was accepted", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const epoch = nowSeconds();
    const newer = await generate({ secret, epoch: epoch + 30 });
    const older = await generate({ secret, epoch });
    expect(await verifyTotpFactor(db(), await factorRow(factorId), newer)).toBe("accepted");
    expect(await verifyTotpFactor(db(), await factorRow(factorId), older)).toBe("replayed");
    expect((await factorRow(factorId)).lastTotpStep).toBe(Math.floor((epoch + 30) / 30));
  });

  it("accepts a newer step's code after an older one", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const epoch = nowSeconds();
    expect(await verifyTotpFactor(db(), await factorRow(factorId), await generate({ secret, epoch }))).toBe("accepted");
    expect(await verifyTotpFactor(db(), await factorRow(factorId), await generate({ secret, epoch: epoch + 30 }))).toBe("accepted");
  });

  it("of 10 concurrent checks of one fresh code, exactly one succeeds", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const factor = await factorRow(factorId);
    const code = await totpCode(secret);
    const results = await Promise.all(Array.from({ length: 10 }, () => verifyTotpFactor(db(), factor, code)));
    expect(results.filter((r) => r === "accepted")).toHaveLength(1);
  });

  it("refuses a code two steps away and a code of another secret", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const factor = await factorRow(factorId);
    // -2 and +3: still two or more steps away if the clock ticks into the next step meanwhile.
    expect(await verifyTotpFactor(db(), factor, await totpCode(secret, -2))).toBe("rejected");
    expect(await verifyTotpFactor(db(), factor, await totpCode(secret, 3))).toBe("rejected");
    expect(await verifyTotpFactor(db(), factor, await totpCode(newTotpSecret()))).toBe("rejected");
    expect((await factorRow(factorId)).lastTotpStep).toBeNull();
  });

  it("refuses a factor of another kind", async () => {
    const user = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const asEmail = { ...(await factorRow(factorId)), kind: "email" as const };
    expect(await verifyTotpFactor(db(), asEmail, await totpCode(secret))).toBe("rejected");
  });

  it("an enrolled factor (beginTotp + finishTotp) refuses the code used to enroll it", async () => {
    const user = await createUser();
    const setup = beginTotp({ id: user.userId, email: user.email });
    const code = await totpCode(setup.secret);
    const done = await finishTotp({ id: user.userId, email: user.email }, { enrollment: setup.enrollment, code, label: "Phone" }, meta);
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    const factor = await factorRow(done.factorId);
    expect(await verifyTotpFactor(db(), factor, code)).toBe("replayed");
    expect(await verifyTotpFactor(db(), factor, await totpCode(setup.secret, 1))).toBe("accepted");
  });
});

describe("the TOTP secret at rest", () => {
  it("is AES-GCM ciphertext (v1.…), not the base32 secret, and opens only for its own user", async () => {
    const user = await createUser();
    const other = await createUser();
    const { secret, factorId } = await addTotpFactor(user.userId);
    const { secretEncrypted } = await factorRow(factorId);

    expect(secretEncrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(secretEncrypted).not.toContain(secret);
    expect(secretEncrypted).not.toContain(secret.toLowerCase());
    expect(secretEncrypted).not.toContain(Buffer.from(decodeBase32(secret)).toString("base64url"));
    expect(openTotpSecret(secretEncrypted!, user.userId)).toBe(secret);
    // Copied to another user's row, it does not decrypt (the user id is bound as additional data).
    expect(() => openTotpSecret(secretEncrypted!, other.userId)).toThrow();
    // A flipped byte is detected, not silently decrypted to garbage.
    const [v, iv, tag, body] = secretEncrypted!.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openTotpSecret([v, iv, tag, flipped.toString("base64url")].join("."), user.userId)).toThrow();
  });

  it("is sealed with a random IV: the same secret sealed twice differs", () => {
    const userId = "00000000-0000-4000-8000-000000000000";
    const secret = newTotpSecret();
    const a = sealTotpSecret(secret, userId);
    const b = sealTotpSecret(secret, userId);
    expect(a).not.toBe(b);
    expect(openTotpSecret(a, userId)).toBe(secret);
    expect(openTotpSecret(b, userId)).toBe(secret);
  });
});

/** RFC 4648 base32 decoding, independent of the code under test. */
function decodeBase32(input: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of input.replace(/=+$/, "")) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
