import { headers } from "next/headers";
import type { RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { resolveClientIp } from "./client-ip";

/**
 * The client's IP and user agent for rate limits, the audit log and security emails. The IP
 * is the TCP peer's, as scripts/server.mjs saw it, or with TRUSTED_PROXY_HOPS set the address
 * the outermost trusted proxy saw — never an X-Forwarded-For entry the client wrote itself
 * (lib/auth/client-ip.ts; README, "Deploying").
 */
export function metaFromHeaders(h: Headers): RequestMeta {
  return {
    ip: resolveClientIp(h, { hops: config.trustedProxyHops, proof: config.peerProof, production: config.isProduction }),
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
  };
}

export async function requestMeta(): Promise<RequestMeta> {
  return metaFromHeaders(await headers());
}
