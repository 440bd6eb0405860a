import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";

/**
 * The browser's answer to navigator.credentials.create()/get(), as JSON, checked before
 * anything else reads it: the one place where its shape and sizes are bounded, used by every
 * server action that receives one and again by the verify functions in webauthn.ts.
 */

/** WebAuthn Level 3 §5.1 / §7.1 step 25: a credential id is at most 1023 bytes. */
export const CREDENTIAL_ID_MAX_BYTES = 1023;
/**
 * The whole JSON answer. Attestation "none" keeps a registration to a few KiB (authenticator
 * data with the key and an id ≤ 1023 bytes); an assertion is under 1 KiB. 64 KiB leaves room
 * for extensions and stops a multi-megabyte body before JSON.parse.
 */
export const WEBAUTHN_RESPONSE_MAX_CHARS = 64 * 1024;

export const WEBAUTHN_RESPONSE_ERRORS = {
  MALFORMED_RESPONSE: "The security key's answer was not readable. Try again.",
  CREDENTIAL_ID_TOO_LONG: `This security key's credential ID is longer than ${CREDENTIAL_ID_MAX_BYTES} bytes, which WebAuthn does not allow. Use another security key or method.`,
} as const;

export type WebAuthnResponseError = keyof typeof WEBAUTHN_RESPONSE_ERRORS;
export type WebAuthnResponseKind = "registration" | "authentication";
type ResponseOf<K extends WebAuthnResponseKind> = K extends "registration" ? RegistrationResponseJSON : AuthenticationResponseJSON;
export type ReadResponseResult<K extends WebAuthnResponseKind> = { ok: true; response: ResponseOf<K> } | { ok: false; code: WebAuthnResponseError; message: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const base64url = (maxChars: number) => z.string().max(maxChars).regex(BASE64URL);

/** Unpadded base64url of n bytes is ⌈4n/3⌉ characters; the bytes, without decoding. */
const decodedBytes = (encoded: string) => Math.floor((encoded.length * 3) / 4);

// Any length is read (within the whole answer's bound) so an oversized id gets its own message.
const credentialId = z
  .string()
  .min(1)
  .regex(BASE64URL)
  .refine((id) => decodedBytes(id) <= CREDENTIAL_ID_MAX_BYTES, { message: "CREDENTIAL_ID_TOO_LONG" });

const common = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  authenticatorAttachment: z
    .enum(["platform", "cross-platform"])
    .nullish()
    .transform((attachment) => attachment ?? undefined),
  // Extension outputs are opaque to Tessera; the whole answer's bound caps them.
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const clientDataJSON = base64url(8 * 1024).min(1);

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON,
    attestationObject: base64url(48 * 1024).min(1),
    authenticatorData: base64url(16 * 1024).optional(),
    transports: z.array(z.string().max(32)).max(16).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8 * 1024).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON,
    authenticatorData: base64url(16 * 1024).min(1),
    signature: base64url(2 * 1024).min(1),
    // At most 64 bytes (WebAuthn §5.4.3).
    userHandle: base64url(128).optional(),
  }),
});

const schemas = { registration: registrationSchema, authentication: authenticationSchema };

const refused = (code: WebAuthnResponseError) => ({ ok: false as const, code, message: WEBAUTHN_RESPONSE_ERRORS[code] });

/** Checks an already parsed answer (the verify functions' own guard). */
export function checkWebAuthnResponse<K extends WebAuthnResponseKind>(value: unknown, kind: K): ReadResponseResult<K> {
  const parsed = schemas[kind].safeParse(value);
  if (parsed.success) {
    if (parsed.data.id !== parsed.data.rawId) return refused("MALFORMED_RESPONSE");
    // The library reads these fields only; transports it does not know are dropped later.
    return { ok: true, response: parsed.data as unknown as ResponseOf<K> };
  }
  const tooLong = parsed.error.issues.some((issue) => issue.message === "CREDENTIAL_ID_TOO_LONG");
  return refused(tooLong ? "CREDENTIAL_ID_TOO_LONG" : "MALFORMED_RESPONSE");
}

/** Reads the JSON text a server action received from the browser. Never throws. */
export function readWebAuthnResponse<K extends WebAuthnResponseKind>(json: unknown, kind: K): ReadResponseResult<K> {
  if (typeof json !== "string" || json.length > WEBAUTHN_RESPONSE_MAX_CHARS) return refused("MALFORMED_RESPONSE");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return refused("MALFORMED_RESPONSE");
  }
  return checkWebAuthnResponse(value, kind);
}

/** True when a credential id (base64url) decodes to more bytes than WebAuthn allows. */
export function credentialIdTooLong(id: string): boolean {
  return decodedBytes(id) > CREDENTIAL_ID_MAX_BYTES;
}
