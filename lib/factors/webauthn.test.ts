import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { auditEvents, factors, webauthnChallenges } from "@/lib/db/schema";
import { createUser, meta } from "@/tests/helpers";
import { impostorOf, SoftAuthenticator, type SoftAuthenticatorOptions } from "@/tests/soft-authenticator";
import {
  beginWebAuthnAuthentication,
  beginWebAuthnRegistration,
  finishWebAuthnRegistration,
  verifyWebAuthnAuthentication,
  WEBAUTHN_CHALLENGE_TTL_SECONDS,
  WEBAUTHN_ERRORS,
} from "./webauthn";

const origin = () => config.appUrl.origin;
const key = (options: SoftAuthenticatorOptions = {}) => new SoftAuthenticator({ origin: origin(), ...options });

async function user() {
  const u = await createUser();
  return { id: u.userId, email: u.email, name: u.name };
}

/** Registers `authenticator` for `u` through the real begin/finish pair. */
async function enroll(u: { id: string; email: string; name: string }, authenticator: SoftAuthenticator, label = "YubiKey") {
  const options = await beginWebAuthnRegistration(u);
  const result = await finishWebAuthnRegistration({ userId: u.id, label, response: authenticator.register(options) }, meta);
  if (!result.ok) throw new Error(`enrollment failed: ${result.code}`);
  return result;
}

const webauthnFactors = (userId: string) =>
  db()
    .select()
    .from(factors)
    .where(and(eq(factors.userId, userId), eq(factors.kind, "webauthn")));

const auditTypes = async (userId: string) =>
  (await db().select({ type: auditEvents.type }).from(auditEvents).where(eq(auditEvents.userId, userId))).map((row) => row.type);

describe("security key registration", () => {
  it("asks for a PIN-less second factor and stores the challenge for 5 minutes", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);

    expect(options.rp).toEqual({ name: "Tessera", id: config.appUrl.hostname });
    expect(options.user).toMatchObject({ name: u.email, displayName: u.name, id: Buffer.from(u.id).toString("base64url") });
    expect(options.attestation).toBe("none");
    expect(options.authenticatorSelection).toMatchObject({ residentKey: "preferred", userVerification: "discouraged" });
    const [row] = await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.challenge, options.challenge));
    expect(row).toMatchObject({ userId: u.id, purpose: "register", consumedAt: null });
    const ttl = (row!.expiresAt.getTime() - row!.createdAt.getTime()) / 1000;
    expect(ttl).toBeCloseTo(WEBAUTHN_CHALLENGE_TTL_SECONDS, 0);
  });

  it("stores the credential id, public key, counter and transports; the first factor brings 10 recovery codes", async () => {
    const u = await user();
    // Transports come from the browser; a name no browser uses is dropped.
    const yubikey = key({ counter: 41, transports: ["usb", "nfc", "carrier-pigeon"] });
    const first = await enroll(u, yubikey, "  Desk YubiKey  ");

    expect(first.recoveryCodes).toHaveLength(10);
    const [stored] = await webauthnFactors(u.id);
    expect(stored).toMatchObject({
      id: first.factorId,
      label: "Desk YubiKey",
      credentialId: yubikey.id,
      publicKey: yubikey.cosePublicKey.toString("base64url"),
      signCount: 42,
      transports: ["usb", "nfc"],
      isDefault: true,
    });
    expect(await auditTypes(u.id)).toEqual(expect.arrayContaining(["factor.added", "two_factor.enabled", "recovery_codes.generated"]));

    // A second key: the browser is told to skip the first one; no new recovery codes.
    const options = await beginWebAuthnRegistration(u);
    expect(options.excludeCredentials).toEqual([{ id: yubikey.id, type: "public-key", transports: ["usb", "nfc"] }]);
    const second = await finishWebAuthnRegistration({ userId: u.id, label: "", response: key().register(options) }, meta);
    expect(second).toMatchObject({ ok: true });
    expect(second.ok && second.recoveryCodes).toBeFalsy();
    const labels = (await webauthnFactors(u.id)).map((f) => f.label).sort();
    expect(labels).toEqual(["Desk YubiKey", "Security key"]);
  });

  it("refuses a replayed registration response", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);
    const response = key().register(options);
    expect(await finishWebAuthnRegistration({ userId: u.id, label: "Key", response }, meta)).toMatchObject({ ok: true });

    const replay = await finishWebAuthnRegistration({ userId: u.id, label: "Key", response }, meta);
    expect(replay).toEqual({ ok: false, code: "CHALLENGE_EXPIRED", message: WEBAUTHN_ERRORS.CHALLENGE_EXPIRED });
    expect(await webauthnFactors(u.id)).toHaveLength(1);
  });

  it("refuses a response from another origin, and that request cannot be retried", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);
    const authenticator = key();

    const phished = await finishWebAuthnRegistration(
      { userId: u.id, label: "Key", response: authenticator.register(options, { origin: "https://tessera.example.evil" }) },
      meta,
    );
    expect(phished).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const retry = await finishWebAuthnRegistration({ userId: u.id, label: "Key", response: authenticator.register(options) }, meta);
    expect(retry).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("refuses a credential scoped to another RP ID", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);
    const response = key().register(options, { rpId: "evil.example" });
    expect(await finishWebAuthnRegistration({ userId: u.id, label: "Key", response }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
  });

  it("refuses a response to another user's challenge, and leaves that challenge to its owner", async () => {
    const alice = await user();
    const bob = await user();
    const bobsOptions = await beginWebAuthnRegistration(bob);
    const response = key().register(bobsOptions);

    const result = await finishWebAuthnRegistration({ userId: alice.id, label: "Key", response }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(alice.id)).toHaveLength(0);
    expect(await finishWebAuthnRegistration({ userId: bob.id, label: "Key", response }, meta)).toMatchObject({ ok: true });
  });

  it("refuses a challenge for signing in", async () => {
    const u = await user();
    await enroll(u, key());
    const signIn = (await beginWebAuthnAuthentication(u.id))!;
    const response = key().register(await beginWebAuthnRegistration(u), { challenge: signIn.challenge });
    const result = await finishWebAuthnRegistration({ userId: u.id, label: "Key", response }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
  });

  it("refuses an expired challenge", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);
    await db()
      .update(webauthnChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(webauthnChallenges.challenge, options.challenge));

    const result = await finishWebAuthnRegistration({ userId: u.id, label: "Key", response: key().register(options) }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("refuses a key that is already registered, to the same user or to anyone else", async () => {
    const alice = await user();
    const bob = await user();
    const shared = key();
    await enroll(alice, shared);

    const again = await finishWebAuthnRegistration({ userId: alice.id, label: "Again", response: shared.register(await beginWebAuthnRegistration(alice)) }, meta);
    expect(again).toEqual({ ok: false, code: "CREDENTIAL_TAKEN", message: "This security key is already registered." });
    const forBob = await finishWebAuthnRegistration({ userId: bob.id, label: "Mine", response: shared.register(await beginWebAuthnRegistration(bob)) }, meta);
    expect(forBob).toMatchObject({ ok: false, code: "CREDENTIAL_TAKEN" });
    expect(await webauthnFactors(alice.id)).toHaveLength(1);
    expect(await webauthnFactors(bob.id)).toHaveLength(0);
  });

  it("registers one key for only one of two users registering it at the same time", async () => {
    const alice = await user();
    const bob = await user();
    const shared = key();
    const [aliceOptions, bobOptions] = await Promise.all([beginWebAuthnRegistration(alice), beginWebAuthnRegistration(bob)]);
    const results = await Promise.all([
      finishWebAuthnRegistration({ userId: alice.id, label: "Key", response: shared.register(aliceOptions) }, meta),
      finishWebAuthnRegistration({ userId: bob.id, label: "Key", response: shared.register(bobOptions) }, meta),
    ]);
    expect(results.map((r) => (r.ok ? "ok" : r.code)).sort()).toEqual(["CREDENTIAL_TAKEN", "ok"]);
    expect(await db().select().from(factors).where(eq(factors.credentialId, shared.id))).toHaveLength(1);
  });

  it("refuses a label longer than 60 characters before using up the challenge", async () => {
    const u = await user();
    const options = await beginWebAuthnRegistration(u);
    const response = key().register(options);

    const tooLong = await finishWebAuthnRegistration({ userId: u.id, label: "k".repeat(61), response }, meta);
    expect(tooLong).toEqual({ ok: false, code: "INVALID_LABEL", message: WEBAUTHN_ERRORS.INVALID_LABEL });
    const fixed = await finishWebAuthnRegistration({ userId: u.id, label: "k".repeat(60), response }, meta);
    expect(fixed).toMatchObject({ ok: true });
  });
});

describe("security key sign-in", () => {
  it("offers nothing to a user without a security key", async () => {
    const u = await user();
    expect(await beginWebAuthnAuthentication(u.id)).toBeNull();
  });

  it("accepts the user's key and moves its counter and last use forward", async () => {
    const u = await user();
    const yubikey = key({ transports: ["usb"] });
    const { factorId } = await enroll(u, yubikey);

    const options = (await beginWebAuthnAuthentication(u.id))!;
    expect(options.rpId).toBe(config.appUrl.hostname);
    expect(options.userVerification).toBe("discouraged");
    expect(options.allowCredentials).toEqual([{ id: yubikey.id, type: "public-key", transports: ["usb"] }]);
    const [challenge] = await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.challenge, options.challenge));
    expect(challenge).toMatchObject({ userId: u.id, purpose: "authenticate" });

    const result = await verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate(options) }, meta);
    expect(result).toEqual({ ok: true, factorId });
    const [stored] = await webauthnFactors(u.id);
    expect(stored!.signCount).toBe(2);
    expect(stored!.lastUsedAt).toBeInstanceOf(Date);
  });

  it("accepts a key that keeps no counter (always 0)", async () => {
    const u = await user();
    const passkey = key({ counterStep: 0 });
    await enroll(u, passkey);
    for (let i = 0; i < 2; i++) {
      const options = (await beginWebAuthnAuthentication(u.id))!;
      expect(await verifyWebAuthnAuthentication({ userId: u.id, response: passkey.authenticate(options) }, meta)).toMatchObject({ ok: true });
    }
  });

  it("works inside the caller's transaction", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await beginWebAuthnAuthentication(u.id))!;
    const result = await db().transaction((tx) => verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate(options) }, meta, tx));
    expect(result).toMatchObject({ ok: true });
  });

  it("refuses a replayed assertion, also when both copies arrive at once", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const response = yubikey.authenticate((await beginWebAuthnAuthentication(u.id))!);
    expect(await verifyWebAuthnAuthentication({ userId: u.id, response }, meta)).toMatchObject({ ok: true });
    expect(await verifyWebAuthnAuthentication({ userId: u.id, response }, meta)).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });

    const concurrent = yubikey.authenticate((await beginWebAuthnAuthentication(u.id))!);
    const results = await Promise.all([1, 2, 3].map(() => verifyWebAuthnAuthentication({ userId: u.id, response: concurrent }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses an expired sign-in challenge", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await beginWebAuthnAuthentication(u.id))!;
    await db()
      .update(webauthnChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(webauthnChallenges.challenge, options.challenge));
    const result = await verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate(options) }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
  });

  it("refuses a key that was never registered", async () => {
    const u = await user();
    await enroll(u, key());
    const stranger = key();
    const result = await verifyWebAuthnAuthentication({ userId: u.id, response: stranger.authenticate((await beginWebAuthnAuthentication(u.id))!) }, meta);
    expect(result).toEqual({ ok: false, code: "UNKNOWN_CREDENTIAL", message: WEBAUTHN_ERRORS.UNKNOWN_CREDENTIAL });
  });

  it("refuses another user's key answering this user's challenge", async () => {
    const alice = await user();
    const bob = await user();
    await enroll(alice, key());
    const bobsKey = key();
    await enroll(bob, bobsKey);

    const aliceOptions = (await beginWebAuthnAuthentication(alice.id))!;
    const result = await verifyWebAuthnAuthentication({ userId: alice.id, response: bobsKey.authenticate(aliceOptions) }, meta);
    expect(result).toMatchObject({ ok: false, code: "UNKNOWN_CREDENTIAL" });
    const [bobs] = await webauthnFactors(bob.id);
    expect(bobs).toMatchObject({ signCount: 1, lastUsedAt: null });
  });

  it("refuses a signature from a different private key", async () => {
    const u = await user();
    const yubikey = key({ counter: 10 });
    await enroll(u, yubikey);
    const forged = impostorOf(yubikey).authenticate((await beginWebAuthnAuthentication(u.id))!, { counter: 1 });

    expect(await verifyWebAuthnAuthentication({ userId: u.id, response: forged }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    // An unsigned low counter proves nothing about the key, so it is not reported as cloned.
    expect(await auditTypes(u.id)).not.toContain("factor.counter_regression");
  });

  it("refuses and audits a sign counter that does not move forward", async () => {
    const u = await user();
    const yubikey = key({ counter: 5 });
    const { factorId } = await enroll(u, yubikey);
    await verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate((await beginWebAuthnAuthentication(u.id))!) }, meta);

    for (const counter of [7, 3]) {
      const options = (await beginWebAuthnAuthentication(u.id))!;
      const result = await verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate(options, { counter }) }, meta);
      expect(result).toEqual({ ok: false, code: "COUNTER_REGRESSION", message: WEBAUTHN_ERRORS.COUNTER_REGRESSION });
    }

    const audits = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.userId, u.id), eq(auditEvents.type, "factor.counter_regression")))
      .orderBy(asc(auditEvents.createdAt));
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ ip: meta.ip, data: { factorId, storedCounter: 7, receivedCounter: 7 } });
    const [stored] = await webauthnFactors(u.id);
    expect(stored!.signCount).toBe(7);
  });

  it("refuses an assertion made for another origin", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await beginWebAuthnAuthentication(u.id))!;
    const result = await verifyWebAuthnAuthentication({ userId: u.id, response: yubikey.authenticate(options, { origin: "https://login.tessera.example.evil" }) }, meta);
    expect(result).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const [stored] = await webauthnFactors(u.id);
    expect(stored!.lastUsedAt).toBeNull();
  });

  it("refuses malformed responses without throwing", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await beginWebAuthnAuthentication(u.id))!;
    const good = yubikey.authenticate(options);
    const garbage = { ...good, response: { ...good.response, clientDataJSON: "not json" } };
    expect(await verifyWebAuthnAuthentication({ userId: u.id, response: garbage }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const badSignature = { ...good, response: { ...good.response, signature: "AAAA" } };
    expect(await verifyWebAuthnAuthentication({ userId: u.id, response: badSignature }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
  });
});
