import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import { and, desc, eq, gt, inArray, isNotNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { factors, webauthnChallenges, type Factor } from "@/lib/db/schema";
import { waitPhrase } from "@/lib/format/wait";
import { rateLimit, type Window } from "@/lib/rate-limit";
import { addFactor } from "..";
import { enrollRefusal } from "../policy-rules";
import { checkWebAuthnResponse, credentialIdTooLong, WEBAUTHN_RESPONSE_ERRORS } from "./webauthn-response";

/** Security-key requests live 5 minutes (DESIGN.md), then the person starts again. */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 5 * 60;
export const WEBAUTHN_LABEL_MAX = 60;
export const DEFAULT_WEBAUTHN_LABEL = "Security key";
/**
 * Options (each a stored challenge) one user, and one IP address, may ask for: far above a
 * person retrying a key, far below a script filling the table.
 */
export const WEBAUTHN_OPTIONS_PER_USER: Window = { limit: 20, windowSeconds: 15 * 60 };
export const WEBAUTHN_OPTIONS_PER_IP: Window = { limit: 100, windowSeconds: 15 * 60 };
/** Live requests kept per user; a new one retires the oldest (a prompt answers only the latest anyway). */
export const WEBAUTHN_LIVE_CHALLENGES_PER_USER = 5;
const RP_NAME = "Tessera";
// The browser reports transports; they are echoed back in later options, so only names
// browsers know are kept (an unknown one would be ignored there anyway).
const TRANSPORTS = new Set(["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"]);

/** Error codes of the security-key factor, with the message a person reads. */
export const WEBAUTHN_ERRORS = {
  CHALLENGE_EXPIRED: "That security key request expired. Try again.",
  NOT_VERIFIED: "That security key response could not be verified. Try again.",
  CREDENTIAL_TAKEN: "This security key is already registered.",
  UNKNOWN_CREDENTIAL: "This security key is not registered to your account.",
  COUNTER_REGRESSION: "This security key was refused because it may have been copied. Use another method, and remove the key if this happens again.",
  NOT_ALLOWED: "Your team doesn't allow security keys.",
  INVALID_LABEL: `Give the security key a name on one line, at most ${WEBAUTHN_LABEL_MAX} characters.`,
  NO_SECURITY_KEY: "You have no security key registered. Use another method.",
  RATE_LIMITED: "Too many security key requests. Try again in a few minutes, or use another method.",
  ...WEBAUTHN_RESPONSE_ERRORS,
} as const;

export type WebAuthnErrorCode = keyof typeof WEBAUTHN_ERRORS;
export type WebAuthnFailure = { ok: false; code: WebAuthnErrorCode; message: string; retryAfterSeconds?: number };

/**
 * What a request for options is made for, stored with its challenge: the answer counts only
 * for the same ceremony and the same sign-in challenge or session — an assertion made on one
 * sign-in page, or in one session, is refused everywhere else.
 */
export type WebAuthnCeremony =
  | { ceremony: "sign_in"; signInChallengeId: string }
  | { ceremony: "step_up"; sessionId: string }
  | { ceremony: "enroll"; sessionId: string };
/** The ceremonies that ask for an assertion (navigator.credentials.get). */
export type WebAuthnAssertionCeremony = Exclude<WebAuthnCeremony, { ceremony: "enroll" }>;

export type WebAuthnOptionsResult<T> = { ok: true; options: T } | WebAuthnFailure;

export type WebAuthnRegistrationResult = { ok: true; factorId: string; recoveryCodes?: string[] } | WebAuthnFailure;
export type WebAuthnAuthenticationResult = { ok: true; factorId: string } | WebAuthnFailure;

const failure = (code: WebAuthnErrorCode): WebAuthnFailure => ({ ok: false, code, message: WEBAUTHN_ERRORS[code] });

/** Origin and RP ID come from the public URL (NEXTAUTH_URL), read at call time like the rest of config. */
function relyingParty() {
  const url = config.appUrl;
  return { id: url.hostname, origin: url.origin };
}

/** The user's security keys, for excludeCredentials / allowCredentials. */
async function credentialsOf(userId: string) {
  const rows = await db()
    .select({ credentialId: factors.credentialId, transports: factors.transports })
    .from(factors)
    .where(and(eq(factors.userId, userId), eq(factors.kind, "webauthn"), isNotNull(factors.credentialId)));
  return rows.map((row) => ({ id: row.credentialId!, transports: row.transports ?? undefined }));
}

/** The stored columns of a ceremony; registration is the only "register" purpose. */
function ceremonyColumns(c: WebAuthnCeremony) {
  return {
    purpose: c.ceremony === "enroll" ? ("register" as const) : ("authenticate" as const),
    ceremony: c.ceremony,
    signInChallengeId: c.ceremony === "sign_in" ? c.signInChallengeId : null,
    sessionId: c.ceremony === "sign_in" ? null : c.sessionId,
  };
}

/**
 * Counts a request for options against the user's and the IP's limits; the refusal, or null.
 * Each request stores a row, so this is what keeps one person or one address from filling
 * the table.
 */
async function countOptionsRequest(userId: string, meta: RequestMeta): Promise<WebAuthnFailure | null> {
  const limits: [string, Window][] = [
    [`webauthn:options:user:${userId}`, WEBAUTHN_OPTIONS_PER_USER],
    ...(meta.ip ? [[`webauthn:options:ip:${meta.ip}`, WEBAUTHN_OPTIONS_PER_IP] as [string, Window]] : []),
  ];
  for (const [key, window] of limits) {
    const counted = await rateLimit(key, window);
    if (!counted.allowed) {
      const message = `Too many security key requests. Try again in ${waitPhrase(counted.retryAfterSeconds)}, or use another method.`;
      return { ok: false, code: "RATE_LIMITED", message, retryAfterSeconds: counted.retryAfterSeconds };
    }
  }
  return null;
}

async function storeChallenge(userId: string, c: WebAuthnCeremony, challenge: string): Promise<void> {
  await db().transaction(async (tx) => {
    // Expired and used requests are worthless; of the live ones the newest few are kept, so
    // the table holds at most WEBAUTHN_LIVE_CHALLENGES_PER_USER rows per user.
    const mine = eq(webauthnChallenges.userId, userId);
    await tx.delete(webauthnChallenges).where(and(mine, or(lte(webauthnChallenges.expiresAt, sql`now()`), isNotNull(webauthnChallenges.consumedAt))));
    const kept = tx
      .select({ id: webauthnChallenges.id })
      .from(webauthnChallenges)
      .where(mine)
      .orderBy(desc(webauthnChallenges.createdAt), desc(webauthnChallenges.id))
      .offset(WEBAUTHN_LIVE_CHALLENGES_PER_USER - 1);
    await tx.delete(webauthnChallenges).where(inArray(webauthnChallenges.id, kept));
    await tx
      .insert(webauthnChallenges)
      .values({ userId, ...ceremonyColumns(c), challenge, expiresAt: sql`now() + (${WEBAUTHN_CHALLENGE_TTL_SECONDS} * interval '1 second')` });
  });
}

/**
 * The challenge the browser signed, read from clientDataJSON, or null when the response is
 * malformed. The library checks it again against the consumed row.
 */
function signedChallenge(response: { response?: { clientDataJSON?: unknown } } | undefined): string | null {
  const encoded = response?.response?.clientDataJSON;
  if (typeof encoded !== "string") return null;
  try {
    const data: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === "string" && challenge !== "" ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * Uses up the challenge once, and only for the user, the ceremony and the sign-in challenge
 * or session it was issued to — all in the one conditional UPDATE: a replayed response, or
 * one answering a request made elsewhere, finds nothing and leaves that request to its owner.
 */
function consumeChallenge(ex: Executor, userId: string, c: WebAuthnCeremony, challenge: string) {
  const columns = ceremonyColumns(c);
  const boundTo: SQL =
    c.ceremony === "sign_in" ? eq(webauthnChallenges.signInChallengeId, c.signInChallengeId) : eq(webauthnChallenges.sessionId, c.sessionId);
  return consumeOnce(
    ex,
    webauthnChallenges,
    and(
      eq(webauthnChallenges.challenge, challenge),
      eq(webauthnChallenges.userId, userId),
      eq(webauthnChallenges.purpose, columns.purpose),
      eq(webauthnChallenges.ceremony, columns.ceremony),
      boundTo,
      gt(webauthnChallenges.expiresAt, sql`now()`),
    )!,
  );
}

/** Trimmed; blank means the default name. Null when too long or holding control characters. */
export function normalizeWebAuthnLabel(input: string | undefined): string | null {
  const label = (input ?? "").trim();
  if (label === "") return DEFAULT_WEBAUTHN_LABEL;
  if ([...label].length > WEBAUTHN_LABEL_MAX || /[\u0000-\u001f\u007f]/.test(label)) return null;
  return label;
}

/**
 * Options for navigator.credentials.create(), for the session that asked; the challenge is
 * stored for 5 minutes. Refused beyond the per-user and per-IP limits.
 */
export async function beginWebAuthnRegistration(
  user: { id: string; email: string; name: string; sessionId: string },
  meta: RequestMeta,
): Promise<WebAuthnOptionsResult<PublicKeyCredentialCreationOptionsJSON>> {
  const limited = await countOptionsRequest(user.id, meta);
  if (limited) return limited;
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    // Tells the browser which keys to refuse, so a person cannot add the same key twice.
    excludeCredentials: await credentialsOf(user.id),
    // A second factor after a password: asking for a PIN would shut out keys without one.
    authenticatorSelection: { residentKey: "preferred", userVerification: "discouraged" },
  });
  await storeChallenge(user.id, { ceremony: "enroll", sessionId: user.sessionId }, options.challenge);
  return { ok: true, options };
}

/**
 * Verifies the browser's answer to beginWebAuthnRegistration and saves the key as a
 * factor. The challenge is consumed before verification, so a failed or replayed response
 * cannot be tried again. Only the session that asked for the options may answer them. A
 * malformed or oversized response is refused before anything is read from it or written.
 * The first factor comes with recovery codes, shown once.
 */
export async function finishWebAuthnRegistration(
  input: { userId: string; sessionId: string; label?: string; response: unknown },
  meta: RequestMeta,
): Promise<WebAuthnRegistrationResult> {
  const label = normalizeWebAuthnLabel(input.label);
  if (label === null) return failure("INVALID_LABEL");
  const checked = checkWebAuthnResponse(input.response, "registration");
  if (!checked.ok) return failure(checked.code);
  const response = checked.response;
  const refused = await enrollRefusal(input.userId, "webauthn");
  if (refused) return { ok: false, code: "NOT_ALLOWED", message: refused };
  const challenge = signedChallenge(response);
  if (!challenge) return failure("NOT_VERIFIED");
  const row = await consumeChallenge(db(), input.userId, { ceremony: "enroll", sessionId: input.sessionId }, challenge);
  if (!row) return failure("CHALLENGE_EXPIRED");

  const rp = relyingParty();
  let credential: WebAuthnCredential;
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: row.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!result.verified) return failure("NOT_VERIFIED");
    credential = result.registrationInfo.credential;
  } catch {
    // The library throws for every malformed or mismatched response; all mean "not verified".
    return failure("NOT_VERIFIED");
  }
  // The id stored is the one inside the signed authenticator data, which the library does
  // not bound nor compare with the JSON's: an oversized one would be a database error, and
  // one that differs would register a key the browser will never name.
  if (credentialIdTooLong(credential.id)) return failure("CREDENTIAL_ID_TOO_LONG");
  if (credential.id !== response.id) return failure("NOT_VERIFIED");

  try {
    const added = await db().transaction((tx) =>
      addFactor(
        tx,
        {
          userId: input.userId,
          kind: "webauthn",
          label,
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString("base64url"),
          signCount: credential.counter,
          transports: knownTransports(credential.transports),
        },
        meta,
      ),
    );
    return { ok: true, ...added };
  } catch (error) {
    // The unique index is the one check, so two concurrent registrations of a key cannot both win.
    if (violates(error, "factors_credential_idx")) return failure("CREDENTIAL_TAKEN");
    throw error;
  }
}

/**
 * Options for navigator.credentials.get(), bound to the ceremony that asked (this sign-in
 * challenge, or this session's step-up). Refused when the user has no security key, and
 * beyond the per-user and per-IP limits.
 */
export async function beginWebAuthnAuthentication(
  userId: string,
  ceremony: WebAuthnAssertionCeremony,
  meta: RequestMeta,
): Promise<WebAuthnOptionsResult<PublicKeyCredentialRequestOptionsJSON>> {
  const allowCredentials = await credentialsOf(userId);
  if (allowCredentials.length === 0) return failure("NO_SECURITY_KEY");
  const limited = await countOptionsRequest(userId, meta);
  if (limited) return limited;
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    allowCredentials,
    userVerification: "discouraged",
  });
  await storeChallenge(userId, ceremony, options.challenge);
  return { ok: true, options };
}

/**
 * Checks a security-key assertion for the user of this challenge, made for this ceremony
 * (`beginWebAuthnAuthentication` with the same sign-in challenge or session). The key must
 * be one of *this* user's factors — @simplewebauthn only checks the signature against the
 * key it is given. A sign counter that does not move forward is refused and audited. A
 * malformed or oversized response is refused before any row is touched.
 *
 * Failures are returned, never thrown, and leave a consumed challenge and possibly an audit
 * event behind: a caller passing its own transaction must commit it on `{ ok: false }` too.
 */
export async function verifyWebAuthnAuthentication(
  input: { userId: string; ceremony: WebAuthnAssertionCeremony; response: unknown },
  meta: RequestMeta,
  ex: Executor = db(),
): Promise<WebAuthnAuthenticationResult> {
  const checked = checkWebAuthnResponse(input.response, "authentication");
  if (!checked.ok) return failure(checked.code);
  const response = checked.response;
  const challenge = signedChallenge(response);
  if (!challenge) return failure("NOT_VERIFIED");
  const row = await consumeChallenge(ex, input.userId, input.ceremony, challenge);
  if (!row) return failure("CHALLENGE_EXPIRED");

  const credentialId = response.id;
  const [factor] = await ex
    .select()
    .from(factors)
    .where(and(eq(factors.credentialId, credentialId), eq(factors.userId, input.userId), eq(factors.kind, "webauthn")));
  if (!factor?.publicKey) return failure("UNKNOWN_CREDENTIAL");

  const rp = relyingParty();
  let newCounter: number;
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: row.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      // Counter 0 turns the library's own counter check off: the conditional UPDATE below
      // does it instead, after the signature is known to be genuine (so a forged response
      // cannot write an audit event) and atomically (so two uses of a cloned key cannot both pass).
      credential: { id: factor.credentialId!, publicKey: new Uint8Array(Buffer.from(factor.publicKey, "base64url")), counter: 0 },
    });
    if (!result.verified) return failure("NOT_VERIFIED");
    newCounter = result.authenticationInfo.newCounter;
  } catch {
    return failure("NOT_VERIFIED");
  }

  if (!(await advanceCounter(ex, factor, newCounter))) {
    await recordAudit(ex, {
      type: "factor.counter_regression",
      userId: input.userId,
      data: { factorId: factor.id, storedCounter: factor.signCount ?? 0, receivedCounter: newCounter },
      ...meta,
    });
    return failure("COUNTER_REGRESSION");
  }
  return { ok: true, factorId: factor.id };
}

/**
 * Stores the new counter if it moved forward — or if the key keeps no counter at all (0
 * then, 0 now, as many passkeys do). False means it went backwards or stood still: a sign
 * that the key was cloned (WebAuthn §6.1.1).
 */
async function advanceCounter(ex: Executor, factor: Factor, newCounter: number): Promise<boolean> {
  const stored = sql`coalesce(${factors.signCount}, 0)`;
  const [updated] = await ex
    .update(factors)
    .set({ signCount: newCounter, lastUsedAt: sql`now()` })
    .where(and(eq(factors.id, factor.id), newCounter === 0 ? eq(stored, 0) : lt(stored, newCounter)))
    .returning({ id: factors.id });
  return Boolean(updated);
}

function knownTransports(transports: readonly unknown[] | undefined): string[] {
  return (transports ?? []).filter((t): t is string => typeof t === "string" && TRANSPORTS.has(t));
}

/** A unique violation of the named index, as raised by postgres.js or PGlite (through drizzle's wrapper). */
function violates(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const pgError = e as { code?: string; constraint?: string; constraint_name?: string };
    if (pgError.code === "23505") return (pgError.constraint ?? pgError.constraint_name) === constraint;
  }
  return false;
}
