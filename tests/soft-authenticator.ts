import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

/**
 * A software security key for tests: a P-256 key pair, a credential id and a sign counter,
 * answering with the same bytes a browser and a real key would send (attestation "none",
 * ES256 signatures in DER). Like a tampered client it ignores excludeCredentials and
 * allowCredentials, so tests can show that the server does not rely on them.
 */

// --- A minimal CBOR encoder (RFC 8949): unsigned/negative ints, byte and text strings, maps.
type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function cborHead(major: number, length: number): Buffer {
  const type = major << 5;
  if (length < 24) return Buffer.from([type | length]);
  if (length < 0x100) return Buffer.from([type | 24, length]);
  if (length < 0x10000) return Buffer.from([type | 25, length >> 8, length & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = type | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const parts = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(cbor(key), cbor(item));
  return Buffer.concat(parts);
}

// --- WebAuthn structures.
const FLAG_UP = 0x01;
const FLAG_AT = 0x40;
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

export type SoftAuthenticatorOptions = {
  /** Where the "browser" says it is; the server must insist on its own origin. */
  origin?: string;
  /** The RP ID whose hash goes into authenticator data. */
  rpId?: string;
  transports?: string[];
  /** The counter before the first use; each registration or assertion adds `counterStep`. */
  counter?: number;
  /** 0 models a key that keeps no counter (many passkeys). */
  counterStep?: number;
  /** Length of the credential id in bytes (32 by default; WebAuthn allows at most 1023). */
  credentialIdBytes?: number;
};

type Overrides = { origin?: string; rpId?: string; counter?: number; challenge?: string };

export class SoftAuthenticator {
  readonly credentialId: Buffer;
  readonly origin: string;
  readonly rpId: string;
  readonly transports: string[];
  counter: number;
  private readonly counterStep: number;
  private readonly privateKey: KeyObject;
  /** The credential's public key as COSE_Key (EC2, P-256, ES256), as the server must store it. */
  readonly cosePublicKey: Buffer;

  constructor(options: SoftAuthenticatorOptions = {}) {
    this.credentialId = randomBytes(options.credentialIdBytes ?? 32);
    this.origin = options.origin ?? "http://localhost:3000";
    this.rpId = options.rpId ?? new URL(this.origin).hostname;
    this.transports = options.transports ?? ["usb"];
    this.counter = options.counter ?? 0;
    this.counterStep = options.counterStep ?? 1;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: "jwk" });
    this.cosePublicKey = cbor(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, "base64url")],
        [-3, Buffer.from(jwk.y!, "base64url")],
      ]),
    );
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** navigator.credentials.create() answered by this key. */
  register(options: PublicKeyCredentialCreationOptionsJSON, overrides: Overrides = {}): RegistrationResponseJSON {
    const clientDataJSON = this.clientData("webauthn.create", overrides.challenge ?? options.challenge, overrides.origin);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(FLAG_UP | FLAG_AT, overrides),
      Buffer.alloc(16), // AAGUID: zeros, as attestation "none" allows
      idLength,
      this.credentialId,
      this.cosePublicKey,
    ]);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: this.transports },
      authenticatorAttachment: "cross-platform",
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() answered by this key. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, overrides: Overrides = {}): AuthenticationResponseJSON {
    const clientDataJSON = this.clientData("webauthn.get", overrides.challenge ?? options.challenge, overrides.origin);
    const authData = this.authDataHead(FLAG_UP, overrides);
    // WebAuthn signs authenticatorData ‖ SHA-256(clientDataJSON); ES256 signatures are DER.
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      authenticatorAttachment: "cross-platform",
      clientExtensionResults: {},
    };
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), "utf8");
  }

  /** rpIdHash ‖ flags ‖ signCount (big-endian); an explicit counter overrides the key's own. */
  private authDataHead(flags: number, overrides: Overrides): Buffer {
    if (overrides.counter === undefined) this.counter += this.counterStep;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(overrides.counter ?? this.counter);
    return Buffer.concat([sha256(overrides.rpId ?? this.rpId), Buffer.from([flags]), count]);
  }
}

/** Another key that claims this one's credential id: a forgery without the private key. */
export function impostorOf(victim: SoftAuthenticator): SoftAuthenticator {
  const impostor = new SoftAuthenticator({ origin: victim.origin, transports: victim.transports, counter: victim.counter });
  impostor.credentialId.set(victim.credentialId);
  return impostor;
}
