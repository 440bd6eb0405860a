import { afterEach, describe, expect, it, vi } from "vitest";
import { missingPeerServer, normaliseAddress, PEER_HEADER, PEER_PROOF_HEADER, resolveClientIp } from "./client-ip";
import { metaFromHeaders } from "./request-meta";

const PROOF = "per-process-token-0123456789abcdefghijklmnop";

/** A request as scripts/server.mjs hands it on: the peer it saw, its proof, and what the client and proxies sent. */
function fromServer(peer: string, forwardedFor?: string, extra: Record<string, string> = {}): Headers {
  return new Headers({ [PEER_HEADER]: peer, [PEER_PROOF_HEADER]: PROOF, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}), ...extra });
}

const trust = (hops: number) => ({ hops, proof: PROOF, production: true });

describe("the client IP behind TRUSTED_PROXY_HOPS proxies (Express's trust proxy = N)", () => {
  it("0 hops: the TCP peer, whatever X-Forwarded-For and X-Real-IP say", () => {
    expect(resolveClientIp(fromServer("203.0.113.9"), trust(0))).toBe("203.0.113.9");
    expect(resolveClientIp(fromServer("203.0.113.9", "6.6.6.6", { "x-real-ip": "7.7.7.7" }), trust(0))).toBe("203.0.113.9");
    expect(resolveClientIp(fromServer("203.0.113.9", "6.6.6.6, 8.8.8.8"), trust(0))).toBe("203.0.113.9");
  });

  it("1 hop: the entry the proxy appended; the client's forged entries to its left are never read", () => {
    // nginx: proxy_add_x_forwarded_for = the client's header + ", " + the address nginx saw.
    const h = fromServer("10.0.0.2", "6.6.6.6, 1.2.3.4, 198.51.100.7");
    expect(resolveClientIp(h, trust(1))).toBe("198.51.100.7");
  });

  it("2 hops (CDN, then load balancer): the entry the CDN appended, second from the right", () => {
    const h = fromServer("10.0.0.2", "6.6.6.6, 198.51.100.7, 192.0.2.44");
    expect(resolveClientIp(h, trust(2))).toBe("198.51.100.7");
  });

  it("fewer entries than hops: the furthest address there is", () => {
    expect(resolveClientIp(fromServer("10.0.0.2", "198.51.100.7"), trust(2))).toBe("198.51.100.7");
    expect(resolveClientIp(fromServer("10.0.0.2"), trust(3))).toBe("10.0.0.2");
  });

  it("several X-Forwarded-For headers read as one list, in order", () => {
    const h = fromServer("10.0.0.2");
    h.append("x-forwarded-for", "6.6.6.6");
    h.append("x-forwarded-for", "198.51.100.7");
    expect(resolveClientIp(h, trust(1))).toBe("198.51.100.7");
  });

  it("garbage is never an address: the walk stops at the last address a trusted hop vouched for", () => {
    expect(resolveClientIp(fromServer("10.0.0.2", "not-an-ip"), trust(1))).toBe("10.0.0.2");
    expect(resolveClientIp(fromServer("10.0.0.2", "6.6.6.6, <script>, 192.0.2.44"), trust(2))).toBe("192.0.2.44");
    expect(resolveClientIp(fromServer("10.0.0.2", "1.2.3.4, unknown"), trust(2))).toBe("10.0.0.2");
    expect(resolveClientIp(fromServer("999.1.1.1", "1.2.3.4"), trust(0))).toBeNull();
    expect(resolveClientIp(fromServer(""), trust(0))).toBeNull();
  });

  it("IPv6: the peer and forwarded entries in one spelling, brackets and ports off, IPv4-mapped as IPv4", () => {
    expect(resolveClientIp(fromServer("2001:DB8:0:0::1"), trust(0))).toBe("2001:db8::1");
    expect(resolveClientIp(fromServer("::1", "6.6.6.6, [2001:db8::7]:51234"), trust(1))).toBe("2001:db8::7");
    expect(resolveClientIp(fromServer("::ffff:10.0.0.2", "::ffff:198.51.100.7"), trust(1))).toBe("198.51.100.7");
    expect(resolveClientIp(fromServer("::ffff:10.0.0.2"), trust(0))).toBe("10.0.0.2");
  });
});

describe("without scripts/server.mjs's proof", () => {
  const forged = (proof: string | undefined) =>
    new Headers({ [PEER_HEADER]: "6.6.6.6", ...(proof ? { [PEER_PROOF_HEADER]: proof } : {}), "x-forwarded-for": "7.7.7.7, 203.0.113.9" });

  it("development (bare `next dev`): the right-most X-Forwarded-For entry, then X-Real-IP, as before — and never garbage", () => {
    const dev = { hops: 0, proof: undefined, production: false };
    expect(resolveClientIp(forged(undefined), dev)).toBe("203.0.113.9");
    expect(resolveClientIp(new Headers({ "x-real-ip": "::1" }), dev)).toBe("::1");
    expect(resolveClientIp(new Headers({ "x-forwarded-for": "garbage", "x-real-ip": "127.0.0.1" }), dev)).toBe("127.0.0.1");
    expect(resolveClientIp(new Headers({ "x-forwarded-for": "garbage" }), dev)).toBeNull();
  });

  it("a client's own x-tessera-peer with a wrong or missing proof is not believed", () => {
    const devServer = { hops: 0, proof: PROOF, production: false };
    expect(resolveClientIp(forged("guessed"), devServer)).toBe("203.0.113.9");
    expect(resolveClientIp(forged(undefined), devServer)).toBe("203.0.113.9");
    expect(() => resolveClientIp(forged("guessed"), trust(0))).toThrow(/npm start/);
    expect(() => resolveClientIp(forged(PROOF.slice(0, -1)), trust(0))).toThrow(/npm start/);
  });

  it("production: the server refuses to start, and a request without the proof is an error, not a guess", () => {
    expect(missingPeerServer({ proof: undefined, production: true })).toMatch(/Start Tessera with npm start \(scripts\/server\.mjs\)/);
    expect(missingPeerServer({ proof: PROOF, production: true })).toBeNull();
    expect(missingPeerServer({ proof: undefined, production: false })).toBeNull();
    expect(() => resolveClientIp(forged(undefined), { hops: 0, proof: undefined, production: true })).toThrow(/npm start/);
  });
});

describe("normaliseAddress", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    [" 203.0.113.9 ", "203.0.113.9"],
    ["203.0.113.9:8080", "203.0.113.9"],
    ["[::1]", "::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::FFFF:192.0.2.1", "192.0.2.1"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["1.2.3", null],
    ["256.1.1.1", null],
    ["unknown", null],
    ["", null],
    [null, null],
  ])("%s → %s", (raw, expected) => expect(normaliseAddress(raw)).toBe(expected));
});

describe("metaFromHeaders (the app's entry point)", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads TRUSTED_PROXY_HOPS and the process's proof from the environment", () => {
    vi.stubEnv("TESSERA_PEER_PROOF", PROOF);
    vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
    const h = fromServer("10.0.0.2", "6.6.6.6, 198.51.100.7", { "user-agent": "UA" });
    expect(metaFromHeaders(h)).toEqual({ ip: "198.51.100.7", userAgent: "UA" });
    vi.stubEnv("TRUSTED_PROXY_HOPS", "0");
    expect(metaFromHeaders(h)).toEqual({ ip: "10.0.0.2", userAgent: "UA" });
  });

  it("no headers at all: nothing known", () => {
    expect(metaFromHeaders(new Headers())).toEqual({ ip: null, userAgent: null });
  });
});
