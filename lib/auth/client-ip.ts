import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";

/**
 * Headers that scripts/server.mjs sets on every request before Next sees it, overwriting
 * whatever the client sent: the TCP peer's address, and the per-process token that proves
 * the first one was written by that server and not by the client.
 */
export const PEER_HEADER = "x-tessera-peer";
export const PEER_PROOF_HEADER = "x-tessera-peer-proof";

export type ClientIpTrust = {
  /** Reverse proxies in front of Tessera whose X-Forwarded-For entries are believed (TRUSTED_PROXY_HOPS). */
  hops: number;
  /** The token scripts/server.mjs put in this process's environment; unset under bare `next dev` / `next start`. */
  proof: string | undefined;
  production: boolean;
};

/**
 * One address as a rate-limit key: an IPv4 or IPv6 address in one spelling, or null for
 * anything else. Proxies write `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket),
 * `[2001:db8::1]:443` or `1.2.3.4:5678`; all name the same host as the bare address.
 */
export function normaliseAddress(raw: string | null | undefined): string | null {
  let value = raw?.trim() ?? "";
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1] ?? "";
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value);
  if (mapped?.[1]) value = mapped[1];
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return null;
  // One spelling per address: 2001:DB8:0:0::1 and 2001:db8::1 must share one budget.
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value.toLowerCase(); // a zone id (fe80::1%eth0), which URL does not take
  }
}

function forwardedFor(h: Headers): string[] {
  return (h.get("x-forwarded-for") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
}

function proofMatches(sent: string | null, proof: string): boolean {
  if (!sent) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(proof);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The client's IP address, or null when none can be told.
 *
 * From scripts/server.mjs (the proof matches): Express's `trust proxy = N`. The addresses,
 * nearest first, are the TCP peer and then X-Forwarded-For read from the right; each trusted
 * proxy appended the address it saw, so with N hops the client is the N-th of them — or the
 * furthest one when fewer are there (a request that skipped the outer proxies). Anything left
 * of that was written by the client and is never read. An entry that is not an address stops
 * the walk at the last address a trusted hop vouched for: a forged or broken header can only
 * merge clients into one budget, never split one client into many.
 *
 * Without the proof, in development (`next dev`): the right-most X-Forwarded-For entry, then
 * X-Real-IP, which Next fills from the socket when the client sent none. In production this
 * never happens (lib/db/startup.ts refuses to start), so a request without it is an error
 * rather than a guess from headers a client can write.
 */
export function resolveClientIp(h: Headers, trust: ClientIpTrust): string | null {
  if (!trust.proof || !proofMatches(h.get(PEER_PROOF_HEADER), trust.proof)) {
    if (trust.production) throw new Error(`A request reached Tessera without the ${PEER_PROOF_HEADER} of scripts/server.mjs: start Tessera with npm start.`);
    return normaliseAddress(forwardedFor(h).at(-1)) ?? normaliseAddress(h.get("x-real-ip"));
  }
  let address = normaliseAddress(h.get(PEER_HEADER));
  if (!address) return null;
  const chain = forwardedFor(h).reverse().slice(0, trust.hops);
  for (const entry of chain) {
    const next = normaliseAddress(entry);
    if (!next) break;
    address = next;
  }
  return address;
}

/**
 * Why a production server must not start: under a bare `next start` nothing tells Tessera
 * the TCP peer, and Next keeps an X-Forwarded-For the client sent, so every per-IP limit
 * would be reset by a header. Null when the server came up through scripts/server.mjs, or in
 * development.
 */
export function missingPeerServer(trust: Pick<ClientIpTrust, "proof" | "production">): string | null {
  if (trust.proof || !trust.production) return null;
  return (
    "this is a bare `next start`. Start Tessera with npm start (scripts/server.mjs): it tells Tessera each client's " +
    "address from the connection, so that the per-IP limits and the audit log cannot be fooled by an X-Forwarded-For header. " +
    "Behind a reverse proxy, also set TRUSTED_PROXY_HOPS (README → Deploying)."
  );
}
