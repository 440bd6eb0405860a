import { and, asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { auditEvents, factors, webauthnChallenges } from "@/lib/db/schema";
import { createSession } from "@/lib/auth/sessions";
import { createUser, meta } from "@/tests/helpers";
import { impostorOf, SoftAuthenticator, type SoftAuthenticatorOptions } from "@/tests/soft-authenticator";
import { readWebAuthnResponse, WEBAUTHN_RESPONSE_MAX_CHARS } from "./webauthn-response";
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

type TestUser = { id: string; email: string; name: string; sessionId: string };

/** A signed-up user with a session: enrollment and step-up requests belong to a session. */
async function user(): Promise<TestUser> {
  const u = await createUser();
  const sessionId = await createSession(db(), { userId: u.userId, ...meta });
  return { id: u.userId, email: u.email, name: u.name, sessionId };
}

/** The ceremony these tests answer assertions in: the user's own session's step-up. */
const stepUpOf = (u: TestUser) => ({ ceremony: "step_up", sessionId: u.sessionId }) as const;

async function registrationOptions(u: TestUser) {
  const result = await beginWebAuthnRegistration(u, meta);
  if (!result.ok) throw new Error(`registration options refused: ${result.code}`);
  return result.options;
}

async function assertionOptions(u: TestUser) {
  const result = await beginWebAuthnAuthentication(u.id, stepUpOf(u), meta);
  if (!result.ok) throw new Error(`authentication options refused: ${result.code}`);
  return result.options;
}

/** Registers `authenticator` for `u` through the real begin/finish pair. */
async function enroll(u: TestUser, authenticator: SoftAuthenticator, label = "YubiKey") {
  const options = await registrationOptions(u);
  const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label, response: authenticator.register(options) }, meta);
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
    const options = await registrationOptions(u);

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
    const options = await registrationOptions(u);
    expect(options.excludeCredentials).toEqual([{ id: yubikey.id, type: "public-key", transports: ["usb", "nfc"] }]);
    const second = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "", response: key().register(options) }, meta);
    expect(second).toMatchObject({ ok: true });
    expect(second.ok && second.recoveryCodes).toBeFalsy();
    const labels = (await webauthnFactors(u.id)).map((f) => f.label).sort();
    expect(labels).toEqual(["Desk YubiKey", "Security key"]);
  });

  it("refuses a replayed registration response", async () => {
    const u = await user();
    const options = await registrationOptions(u);
    const response = key().register(options);
    expect(await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response }, meta)).toMatchObject({ ok: true });

    const replay = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response }, meta);
    expect(replay).toEqual({ ok: false, code: "CHALLENGE_EXPIRED", message: WEBAUTHN_ERRORS.CHALLENGE_EXPIRED });
    expect(await webauthnFactors(u.id)).toHaveLength(1);
  });

  it("refuses a response from another origin, and that request cannot be retried", async () => {
    const u = await user();
    const options = await registrationOptions(u);
    const authenticator = key();

    const phished = await finishWebAuthnRegistration(
      { userId: u.id, sessionId: u.sessionId, label: "Key", response: authenticator.register(options, { origin: "https://tessera.example.evil" }) },
      meta,
    );
    expect(phished).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const retry = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: authenticator.register(options) }, meta);
    expect(retry).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("refuses a credential scoped to another RP ID", async () => {
    const u = await user();
    const options = await registrationOptions(u);
    const response = key().register(options, { rpId: "evil.example" });
    expect(await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
  });

  it("refuses a response to another user's challenge, and leaves that challenge to its owner", async () => {
    const alice = await user();
    const bob = await user();
    const bobsOptions = await registrationOptions(bob);
    const response = key().register(bobsOptions);

    const result = await finishWebAuthnRegistration({ userId: alice.id, sessionId: alice.sessionId, label: "Key", response }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(alice.id)).toHaveLength(0);
    expect(await finishWebAuthnRegistration({ userId: bob.id, sessionId: bob.sessionId, label: "Key", response }, meta)).toMatchObject({ ok: true });
  });

  it("refuses a challenge for signing in", async () => {
    const u = await user();
    await enroll(u, key());
    const signIn = (await assertionOptions(u));
    const response = key().register(await registrationOptions(u), { challenge: signIn.challenge });
    const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
  });

  it("refuses an expired challenge", async () => {
    const u = await user();
    const options = await registrationOptions(u);
    await db()
      .update(webauthnChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(webauthnChallenges.challenge, options.challenge));

    const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: key().register(options) }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("refuses a key that is already registered, to the same user or to anyone else", async () => {
    const alice = await user();
    const bob = await user();
    const shared = key();
    await enroll(alice, shared);

    const again = await finishWebAuthnRegistration({ userId: alice.id, sessionId: alice.sessionId, label: "Again", response: shared.register(await registrationOptions(alice)) }, meta);
    expect(again).toEqual({ ok: false, code: "CREDENTIAL_TAKEN", message: "This security key is already registered." });
    const forBob = await finishWebAuthnRegistration({ userId: bob.id, sessionId: bob.sessionId, label: "Mine", response: shared.register(await registrationOptions(bob)) }, meta);
    expect(forBob).toMatchObject({ ok: false, code: "CREDENTIAL_TAKEN" });
    expect(await webauthnFactors(alice.id)).toHaveLength(1);
    expect(await webauthnFactors(bob.id)).toHaveLength(0);
  });

  it("registers one key for only one of two users registering it at the same time", async () => {
    const alice = await user();
    const bob = await user();
    const shared = key();
    const [aliceOptions, bobOptions] = await Promise.all([registrationOptions(alice), registrationOptions(bob)]);
    const results = await Promise.all([
      finishWebAuthnRegistration({ userId: alice.id, sessionId: alice.sessionId, label: "Key", response: shared.register(aliceOptions) }, meta),
      finishWebAuthnRegistration({ userId: bob.id, sessionId: bob.sessionId, label: "Key", response: shared.register(bobOptions) }, meta),
    ]);
    expect(results.map((r) => (r.ok ? "ok" : r.code)).sort()).toEqual(["CREDENTIAL_TAKEN", "ok"]);
    expect(await db().select().from(factors).where(eq(factors.credentialId, shared.id))).toHaveLength(1);
  });

  it("refuses a label longer than 60 characters before using up the challenge", async () => {
    const u = await user();
    const options = await registrationOptions(u);
    const response = key().register(options);

    const tooLong = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "k".repeat(61), response }, meta);
    expect(tooLong).toEqual({ ok: false, code: "INVALID_LABEL", message: WEBAUTHN_ERRORS.INVALID_LABEL });
    const fixed = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "k".repeat(60), response }, meta);
    expect(fixed).toMatchObject({ ok: true });
  });
});

describe("security key sign-in", () => {
  it("offers nothing to a user without a security key", async () => {
    const u = await user();
    expect(await beginWebAuthnAuthentication(u.id, stepUpOf(u), meta)).toEqual({ ok: false, code: "NO_SECURITY_KEY", message: WEBAUTHN_ERRORS.NO_SECURITY_KEY });
  });

  it("accepts the user's key and moves its counter and last use forward", async () => {
    const u = await user();
    const yubikey = key({ transports: ["usb"] });
    const { factorId } = await enroll(u, yubikey);

    const options = (await assertionOptions(u));
    expect(options.rpId).toBe(config.appUrl.hostname);
    expect(options.userVerification).toBe("discouraged");
    expect(options.allowCredentials).toEqual([{ id: yubikey.id, type: "public-key", transports: ["usb"] }]);
    const [challenge] = await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.challenge, options.challenge));
    expect(challenge).toMatchObject({ userId: u.id, purpose: "authenticate" });

    const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate(options) }, meta);
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
      const options = (await assertionOptions(u));
      expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: passkey.authenticate(options) }, meta)).toMatchObject({ ok: true });
    }
  });

  it("works inside the caller's transaction", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await assertionOptions(u));
    const result = await db().transaction((tx) => verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate(options) }, meta, tx));
    expect(result).toMatchObject({ ok: true });
  });

  it("refuses a replayed assertion, also when both copies arrive at once", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const response = yubikey.authenticate((await assertionOptions(u)));
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response }, meta)).toMatchObject({ ok: true });
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response }, meta)).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });

    const concurrent = yubikey.authenticate((await assertionOptions(u)));
    const results = await Promise.all([1, 2, 3].map(() => verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: concurrent }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses an expired sign-in challenge", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await assertionOptions(u));
    await db()
      .update(webauthnChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(webauthnChallenges.challenge, options.challenge));
    const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate(options) }, meta);
    expect(result).toMatchObject({ ok: false, code: "CHALLENGE_EXPIRED" });
  });

  it("refuses a key that was never registered", async () => {
    const u = await user();
    await enroll(u, key());
    const stranger = key();
    const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: stranger.authenticate((await assertionOptions(u))) }, meta);
    expect(result).toEqual({ ok: false, code: "UNKNOWN_CREDENTIAL", message: WEBAUTHN_ERRORS.UNKNOWN_CREDENTIAL });
  });

  it("refuses another user's key answering this user's challenge", async () => {
    const alice = await user();
    const bob = await user();
    await enroll(alice, key());
    const bobsKey = key();
    await enroll(bob, bobsKey);

    const aliceOptions = (await assertionOptions(alice));
    const result = await verifyWebAuthnAuthentication({ userId: alice.id, ceremony: stepUpOf(alice), response: bobsKey.authenticate(aliceOptions) }, meta);
    expect(result).toMatchObject({ ok: false, code: "UNKNOWN_CREDENTIAL" });
    const [bobs] = await webauthnFactors(bob.id);
    expect(bobs).toMatchObject({ signCount: 1, lastUsedAt: null });
  });

  it("refuses a signature from a different private key", async () => {
    const u = await user();
    const yubikey = key({ counter: 10 });
    await enroll(u, yubikey);
    const forged = impostorOf(yubikey).authenticate((await assertionOptions(u)), { counter: 1 });

    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: forged }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    // An unsigned low counter proves nothing about the key, so it is not reported as cloned.
    expect(await auditTypes(u.id)).not.toContain("factor.counter_regression");
  });

  it("refuses and audits a sign counter that does not move forward", async () => {
    const u = await user();
    const yubikey = key({ counter: 5 });
    const { factorId } = await enroll(u, yubikey);
    await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate((await assertionOptions(u))) }, meta);

    for (const counter of [7, 3]) {
      const options = (await assertionOptions(u));
      const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate(options, { counter }) }, meta);
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
    const options = (await assertionOptions(u));
    const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: yubikey.authenticate(options, { origin: "https://login.tessera.example.evil" }) }, meta);
    expect(result).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const [stored] = await webauthnFactors(u.id);
    expect(stored!.lastUsedAt).toBeNull();
  });

  it("refuses malformed responses without throwing", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const options = (await assertionOptions(u));
    const good = yubikey.authenticate(options);
    const garbage = { ...good, response: { ...good.response, clientDataJSON: "not json" } };
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: garbage }, meta)).toMatchObject({ ok: false, code: "MALFORMED_RESPONSE" });
    const notJson = { ...good, response: { ...good.response, clientDataJSON: Buffer.from("not json").toString("base64url") } };
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: notJson }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    const badSignature = { ...good, response: { ...good.response, signature: "AAAA" } };
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: badSignature }, meta)).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
  });
});


describe("oversized and malformed security-key answers (WebAuthn's 1023-byte credential id)", () => {
  const liveChallenges = async (userId: string) =>
    (await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, userId))).filter((row) => row.consumedAt === null);

  it("a registration with a 1024-byte credential id is refused with the message, and nothing is written; 1023 bytes are accepted", async () => {
    const u = await user();
    const tooLong = key({ credentialIdBytes: 1024 });
    const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: tooLong.register(await registrationOptions(u)) }, meta);
    expect(result).toEqual({ ok: false, code: "CREDENTIAL_ID_TOO_LONG", message: WEBAUTHN_ERRORS.CREDENTIAL_ID_TOO_LONG });
    expect(result.ok || result.message).toMatch(/longer than 1023 bytes/);
    expect(await webauthnFactors(u.id)).toHaveLength(0);
    expect(await auditTypes(u.id)).not.toContain("factor.added");
    // Refused before the request was used: the person can answer it with a proper key.
    expect(await liveChallenges(u.id)).toHaveLength(1);

    const longest = key({ credentialIdBytes: 1023 });
    expect(await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: longest.register(await registrationOptions(u)) }, meta)).toMatchObject({ ok: true });
    expect((await webauthnFactors(u.id))[0]!.credentialId).toBe(longest.id);
  });

  it("an oversized id inside the signed authenticator data, under a short id in the JSON, is refused — not a database error", async () => {
    const u = await user();
    const forged = key({ credentialIdBytes: 4000 });
    const response = forged.register(await registrationOptions(u));
    const short = Buffer.alloc(16, 7).toString("base64url");
    const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: { ...response, id: short, rawId: short } }, meta);
    expect(result).toEqual({ ok: false, code: "CREDENTIAL_ID_TOO_LONG", message: WEBAUTHN_ERRORS.CREDENTIAL_ID_TOO_LONG });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("a registration whose JSON id differs from the signed one is refused", async () => {
    const u = await user();
    const response = key().register(await registrationOptions(u));
    const other = Buffer.alloc(32, 1).toString("base64url");
    const result = await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: { ...response, id: other, rawId: other } }, meta);
    expect(result).toMatchObject({ ok: false, code: "NOT_VERIFIED" });
    expect(await webauthnFactors(u.id)).toHaveLength(0);
  });

  it("an assertion naming a 1024-byte credential id is refused with the message; the request and the counter are untouched", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const good = yubikey.authenticate(await assertionOptions(u));
    const longId = Buffer.alloc(1024, 9).toString("base64url");
    const result = await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: { ...good, id: longId, rawId: longId } }, meta);
    expect(result).toEqual({ ok: false, code: "CREDENTIAL_ID_TOO_LONG", message: WEBAUTHN_ERRORS.CREDENTIAL_ID_TOO_LONG });
    expect(await liveChallenges(u.id)).toHaveLength(1);
    expect((await webauthnFactors(u.id))[0]!.signCount).toBe(1);
    // The genuine answer to that request still works.
    expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response: good }, meta)).toMatchObject({ ok: true });
  });

  it("a 5 MB field, or garbage instead of a response, is refused by both verify paths without throwing or writing", async () => {
    const u = await user();
    const yubikey = key();
    await enroll(u, yubikey);
    const good = yubikey.authenticate(await assertionOptions(u));
    const huge = { ...good, response: { ...good.response, clientDataJSON: "A".repeat(5 * 1024 * 1024) } };
    const refusals = [huge, null, "a string", 42, [], {}, { ...good, type: "password" }, { ...good, response: null }, { ...good, rawId: undefined }];
    for (const response of refusals) {
      expect(await verifyWebAuthnAuthentication({ userId: u.id, ceremony: stepUpOf(u), response }, meta)).toEqual({
        ok: false,
        code: "MALFORMED_RESPONSE",
        message: WEBAUTHN_ERRORS.MALFORMED_RESPONSE,
      });
      expect(await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response }, meta)).toMatchObject({ ok: false, code: "MALFORMED_RESPONSE" });
    }
    expect(await webauthnFactors(u.id)).toHaveLength(1);
    expect(await liveChallenges(u.id)).toHaveLength(1);
  });

  it("the JSON a server action receives: 5 MB, garbage and a 1024-byte id are refused with a message; a browser's answer reads back whole", async () => {
    const u = await user();
    const yubikey = key();
    const registration = yubikey.register(await registrationOptions(u));
    const fiveMegabytes = JSON.stringify({ ...registration, pad: "x".repeat(5 * 1024 * 1024) });
    expect(fiveMegabytes.length).toBeGreaterThan(WEBAUTHN_RESPONSE_MAX_CHARS);

    const malformed = { ok: false, code: "MALFORMED_RESPONSE", message: "The security key's answer was not readable. Try again." };
    for (const json of [fiveMegabytes, "", "{", "null", "[]", "42", '"text"', "{}", JSON.stringify({ ...registration, response: {} }), undefined, 7]) {
      expect(readWebAuthnResponse(json, "registration")).toEqual(malformed);
    }
    // A registration is not an assertion, and the other way round.
    expect(readWebAuthnResponse(JSON.stringify(registration), "authentication")).toEqual(malformed);
    const longId = Buffer.alloc(1024, 3).toString("base64url");
    expect(readWebAuthnResponse(JSON.stringify({ ...registration, id: longId, rawId: longId }), "registration")).toEqual({
      ok: false,
      code: "CREDENTIAL_ID_TOO_LONG",
      message: WEBAUTHN_ERRORS.CREDENTIAL_ID_TOO_LONG,
    });

    const read = readWebAuthnResponse(JSON.stringify(registration), "registration");
    expect(read).toEqual({ ok: true, response: registration });
    expect(await finishWebAuthnRegistration({ userId: u.id, sessionId: u.sessionId, label: "Key", response: read.ok && read.response }, meta)).toMatchObject({ ok: true });
    const assertion = yubikey.authenticate(await assertionOptions(u));
    expect(readWebAuthnResponse(JSON.stringify(assertion), "authentication")).toEqual({ ok: true, response: assertion });
  });
});
