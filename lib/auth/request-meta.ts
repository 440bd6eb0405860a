import { headers } from "next/headers";
import type { RequestMeta } from "@/lib/audit";

/**
 * The client's IP and user agent for rate limits and the audit log. The IP is the
 * right-most X-Forwarded-For entry — the one the nearest proxy appended, which a client
 * cannot forge when Tessera runs behind a reverse proxy (see README, "Deploying").
 */
export function metaFromHeaders(h: Headers): RequestMeta {
  const forwarded = h.get("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean);
  return {
    ip: forwarded?.at(-1) ?? h.get("x-real-ip") ?? null,
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
  };
}

export async function requestMeta(): Promise<RequestMeta> {
  return metaFromHeaders(await headers());
}
