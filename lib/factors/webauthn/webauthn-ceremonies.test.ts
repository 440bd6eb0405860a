import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { challengeWebAuthnOptions, verifyChallenge } from "@/lib/auth/second-factor";
import { createSession } from "@/lib/auth/sessions";
import { passwordStep } from "@/lib/auth/sign-in";
import { stepUp } from "@/lib/auth/step-up";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { factors, sessions, signInChallenges, webauthnChallenges } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import { createUser, meta, PASSWORD } from "@/tests/helpers";
import { SoftAuthenticator } from "@/tests/soft-authenticator";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import {
  beginWebAuthnAuthentication,
  beginWebAuthnRegistration,
  finishWebAuthnRegistration,
  WEBAUTHN_LIVE_CHALLENGES_PER_USER,
  WEBAUTHN_OPTIONS_PER_IP,
  WEBAUTHN_OPTIONS_PER_USER,
} from "./webauthn";

/** A user with one security key, signed in twice (sessions S and T). */
async function keyUser() {
  const u = await createUser();
  const user = { id: u.userId, email: u.email, name: u.name };
  const key = new SoftAuthenticator({ origin: config.appUrl.origin });
  const S = await createSession(db(), { userId: user.id, ...meta });
  const T = await createSession(db(), { userId: user.id, ...meta });
  const enrolled = await finishWebAuthnRegistration({ userId: user.id, sessionId: S, label: "Key", response: key.register(await registrationOptions(user, S)) }, meta);
  if (!enrolled.ok) throw new Error(`enrollment failed: ${enrolled.code}`);
  return { ...u, user, key, S, T };
}

async function signInChallenge(email: string) {
  const result = await passwordStep({ email, password: PASSWORD }, meta);
  if (!result.ok) throw new Error(`password step failed: ${result.message}`);
  return result.challengeToken;
}

const completed = async (token: string) =>
  (await db().select().from(signInChallenges).where(eq(signInChallenges.tokenHash, hashToken(token))))[0]!.completedAt !== null;
const stepUpAt = async (sessionId: string) => (await db().select().from(sessions).where(eq(sessions.id, sessionId)))[0]!.stepUpAt;

/** The value of an options result, failing the test on a refusal. */
function options<T>(result: { ok: true; options: T } | { ok: false; message: string }): T {
  if (!result.ok) throw new Error(`options refused: ${result.message}`);
  return result.options;
}

// The options each ceremony's page asks for.
const signInOptions = async (token: string) => options(await challengeWebAuthnOptions(token, meta));
const stepUpOptions = async (userId: string, sessionId: string) => options(await beginWebAuthnAuthentication(userId, { ceremony: "step_up", sessionId }, meta));
const registrationOptions = async (user: { id: string; email: string; name: string }, sessionId: string) =>
  options(await beginWebAuthnRegistration({ ...user, sessionId }, meta));

describe("a security-key assertion counts only for the ceremony it was made for", () => {
  it("options from sign-in challenge A answered on sign-in challenge B are refused; A still accepts them", async () => {
    const { email, key } = await keyUser();
    const A = await signInChallenge(email);
    const B = await signInChallenge(email);
    const response = key.authenticate(await signInOptions(A));

    const onB = await verifyChallenge(B, { method: "webauthn", response }, { remember: false }, meta);
    expect(onB.ok).toBe(false);
    expect(await completed(B)).toBe(false);
    expect(await verifyChallenge(A, { method: "webauthn", response }, { remember: false }, meta)).toMatchObject({ ok: true });
  });

  it("sign-in options answered in a step-up are refused", async () => {
    const { user, email, key, S } = await keyUser();
    const A = await signInChallenge(email);
    const response = key.authenticate(await signInOptions(A));

    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response }, meta)).toMatchObject({ ok: false });
    expect(await stepUpAt(S)).toBeNull();
  });

  it("step-up options of session S answered in session T of the same user are refused; S still accepts them", async () => {
    const { user, key, S, T } = await keyUser();
    const response = key.authenticate(await stepUpOptions(user.id, S));

    expect(await stepUp({ id: user.id, sessionId: T }, { method: "webauthn", response }, meta)).toMatchObject({ ok: false });
    expect(await stepUpAt(T)).toBeNull();
    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response }, meta)).toEqual({ ok: true });
    expect(await stepUpAt(S)).toBeInstanceOf(Date);
  });

  it("step-up options answered on a sign-in challenge are refused", async () => {
    const { user, email, key, S } = await keyUser();
    const A = await signInChallenge(email);
    const response = key.authenticate(await stepUpOptions(user.id, S));

    expect(await verifyChallenge(A, { method: "webauthn", response }, { remember: false }, meta)).toMatchObject({ ok: false });
    expect(await completed(A)).toBe(false);
  });

  it("registration options answered as an authentication are refused, in sign-in and in step-up", async () => {
    const { user, email, key, S } = await keyUser();
    const A = await signInChallenge(email);
    const registration = await registrationOptions(user, S);
    const response = key.authenticate({ challenge: registration.challenge } as PublicKeyCredentialRequestOptionsJSON);

    expect(await verifyChallenge(A, { method: "webauthn", response }, { remember: false }, meta)).toMatchObject({ ok: false });
    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response }, meta)).toMatchObject({ ok: false });
    expect(await completed(A)).toBe(false);
    expect(await stepUpAt(S)).toBeNull();
  });

  it("the happy paths: sign-in options on their challenge, step-up options in their session", async () => {
    const { user, email, key, S } = await keyUser();
    const A = await signInChallenge(email);
    expect(await verifyChallenge(A, { method: "webauthn", response: key.authenticate(await signInOptions(A)) }, { remember: false }, meta)).toMatchObject({ ok: true });
    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response: key.authenticate(await stepUpOptions(user.id, S)) }, meta)).toEqual({ ok: true });
    const [factor] = await db().select().from(factors).where(eq(factors.userId, user.id));
    expect(factor!.signCount).toBe(3);
  });
});

describe("requests for security-key options are limited", () => {
  it("per user: the 21st request in 15 minutes is refused with a clear message, and stores nothing", async () => {
    const { user, email, S } = await keyUser();
    const A = await signInChallenge(email);
    // The enrollment in keyUser() was the first request.
    for (let i = 1; i < WEBAUTHN_OPTIONS_PER_USER.limit; i++) await stepUpOptions(user.id, S);
    const before = await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, user.id));

    for (const refused of [
      await beginWebAuthnAuthentication(user.id, { ceremony: "step_up", sessionId: S }, meta),
      await challengeWebAuthnOptions(A, meta),
      await beginWebAuthnRegistration({ ...user, sessionId: S }, meta),
    ]) {
      expect(refused).toMatchObject({ ok: false, code: "RATE_LIMITED", message: expect.stringMatching(/^Too many security key requests\. Try again in (\d+ minutes|a minute)/) });
    }
    expect(await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, user.id))).toEqual(before);
  });

  it("per IP address: 100 requests in 15 minutes across any accounts, then refused", async () => {
    const ip = { ...meta, ip: "192.0.2.44" };
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => keyUser()));
    let allowed = 0;
    let refused: { ok: boolean; message?: string } | undefined;
    for (const { user, S } of users) {
      for (let i = 0; i < 18 && !refused; i++) {
        const result = await beginWebAuthnAuthentication(user.id, { ceremony: "step_up", sessionId: S }, ip);
        if (result.ok) allowed++;
        else refused = result;
      }
    }
    expect(allowed).toBe(WEBAUTHN_OPTIONS_PER_IP.limit);
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining("Too many security key requests") });
    // Another address is not affected.
    expect(await beginWebAuthnAuthentication(users[0]!.user.id, { ceremony: "step_up", sessionId: users[0]!.S }, meta)).toMatchObject({ ok: true });
  });

  it(`keeps at most ${WEBAUTHN_LIVE_CHALLENGES_PER_USER} live requests per user: a new one retires the oldest`, async () => {
    const { user, key, S } = await keyUser();
    const requests = [];
    for (let i = 0; i < WEBAUTHN_LIVE_CHALLENGES_PER_USER + 2; i++) requests.push(await stepUpOptions(user.id, S));
    const live = await db().select().from(webauthnChallenges).where(eq(webauthnChallenges.userId, user.id));
    expect(live).toHaveLength(WEBAUTHN_LIVE_CHALLENGES_PER_USER);

    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response: key.authenticate(requests[0]!) }, meta)).toMatchObject({ ok: false });
    expect(await stepUp({ id: user.id, sessionId: S }, { method: "webauthn", response: key.authenticate(requests.at(-1)!) }, meta)).toEqual({ ok: true });
  });
});
