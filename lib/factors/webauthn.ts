import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from "@simplewebauthn/server";
import { and, eq, gt, isNotNull, lt, lte, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { factors, webauthnChallenges, type Factor } from "@/lib/db/schema";
import { addFactor } from "./index";
import { enrollRefusal } from "./policy-rules";

/** Security-key requests live 5 minutes (DESIGN.md), then the person starts again. */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 5 * 60;
export const WEBAUTHN_LABEL_MAX = 60;
export const DEFAULT_WEBAUTHN_LABEL = "Security key";
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
} as const;

export type WebAuthnErrorCode = keyof typeof WEBAUTHN_ERRORS;
export type WebAuthnFailure = { ok: false; code: WebAuthnErrorCode; message: string };

export type WebAuthnRegistrationResult = { ok: true; factorId: string; recoveryCodes?: string[] } | WebAuthnFailure;
export type WebAuthnAuthenticationResult = { ok: true; factorId: string } | WebAuthnFailure;

const failure = (code: WebAuthnErrorCode): WebAuthnFailure => ({ ok: false, code, message: WEBAUTHN_ERRORS[code] });

/** Origin and RP ID come from the public URL (NEXTAUTH_URL), read at call time like the rest of config. */
function relyingParty() {
  const url = config.appUrl;
  return { id: url.hostname, origin: url.origin };
}

type Purpose = (typeof webauthnChallenges.$inferInsert)["purpose"];

/** The user's security keys, for excludeCredentials / allowCredentials. */
async function credentialsOf(userId: string) {
  const rows = await db()
    .select({ credentialId: factors.credentialId, transports: factors.transports })
    .from(factors)
    .where(and(eq(factors.userId, userId), eq(factors.kind, "webauthn"), isNotNull(factors.credentialId)));
  return rows.map((row) => ({ id: row.credentialId!, transports: row.transports ?? undefined }));
}

async function storeChallenge(userId: string, purpose: Purpose, challenge: string): Promise<void> {
  // Expired requests are worthless; dropping them here keeps the table at a few rows per user.
  await db()
    .delete(webauthnChallenges)
    .where(and(eq(webauthnChallenges.userId, userId), lte(webauthnChallenges.expiresAt, sql`now()`)));
  await db()
    .insert(webauthnChallenges)
    .values({ userId, purpose, challenge, expiresAt: sql`now() + (${WEBAUTHN_CHALLENGE_TTL_SECONDS} * interval '1 second')` });
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
 * Uses up the challenge once, and only for the user and purpose it was issued to: a
 * replayed response, or one answering somebody else's request, finds nothing.
 */
function consumeChallenge(ex: Executor, userId: string, purpose: Purpose, challenge: string) {
  return consumeOnce(
    ex,
    webauthnChallenges,
    and(
      eq(webauthnChallenges.challenge, challenge),
      eq(webauthnChallenges.userId, userId),
      eq(webauthnChallenges.purpose, purpose),
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

/** Options for navigator.credentials.create(); the challenge is stored for 5 minutes. */
export async function beginWebAuthnRegistration(user: { id: string; email: string; name: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
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
  await storeChallenge(user.id, "register", options.challenge);
  return options;
}

/**
 * Verifies the browser's answer to beginWebAuthnRegistration and saves the key as a
 * factor. The challenge is consumed before verification, so a failed or replayed response
 * cannot be tried again. The first factor comes with recovery codes, shown once.
 */
export async function finishWebAuthnRegistration(
  input: { userId: string; label?: string; response: RegistrationResponseJSON },
  meta: RequestMeta,
): Promise<WebAuthnRegistrationResult> {
  const label = normalizeWebAuthnLabel(input.label);
  if (label === null) return failure("INVALID_LABEL");
  const refused = await enrollRefusal(input.userId, "webauthn");
  if (refused) return { ok: false, code: "NOT_ALLOWED", message: refused };
  const challenge = signedChallenge(input.response);
  if (!challenge) return failure("NOT_VERIFIED");
  const row = await consumeChallenge(db(), input.userId, "register", challenge);
  if (!row) return failure("CHALLENGE_EXPIRED");

  const rp = relyingParty();
  let credential: WebAuthnCredential;
  try {
    const result = await verifyRegistrationResponse({
      response: input.response,
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

/** Options for navigator.credentials.get(), or null when the user has no security key. */
export async function beginWebAuthnAuthentication(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const allowCredentials = await credentialsOf(userId);
  if (allowCredentials.length === 0) return null;
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    allowCredentials,
    userVerification: "discouraged",
  });
  await storeChallenge(userId, "authenticate", options.challenge);
  return options;
}

/**
 * Checks a security-key assertion for the user of this challenge. The key must be one of
 * *this* user's factors — @simplewebauthn only checks the signature against the key it is
 * given. A sign counter that does not move forward is refused and audited.
 *
 * Failures are returned, never thrown, and leave a consumed challenge and possibly an audit
 * event behind: a caller passing its own transaction must commit it on `{ ok: false }` too.
 */
export async function verifyWebAuthnAuthentication(
  input: { userId: string; response: AuthenticationResponseJSON },
  meta: RequestMeta,
  ex: Executor = db(),
): Promise<WebAuthnAuthenticationResult> {
  const challenge = signedChallenge(input.response);
  if (!challenge) return failure("NOT_VERIFIED");
  const row = await consumeChallenge(ex, input.userId, "authenticate", challenge);
  if (!row) return failure("CHALLENGE_EXPIRED");

  const credentialId = typeof input.response.id === "string" ? input.response.id : "";
  const [factor] = await ex
    .select()
    .from(factors)
    .where(and(eq(factors.credentialId, credentialId), eq(factors.userId, input.userId), eq(factors.kind, "webauthn")));
  if (!factor?.publicKey) return failure("UNKNOWN_CREDENTIAL");

  const rp = relyingParty();
  let newCounter: number;
  try {
    const result = await verifyAuthenticationResponse({
      response: input.response,
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
