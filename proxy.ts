import { NextResponse, type NextRequest } from "next/server";
import { config as tessera } from "@/lib/config";

const AUTH_PAGES = ["/sign-in", "/sign-up", "/forgot-password", "/reset-password", "/unblock-sign-in", "/invite", "/keep-2fa"];

function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts loaded by the nonce'd Next runtime are trusted, nothing else.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes are harmless next to a strict script-src, and React uses them.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(dev ? [] : ["upgrade-insecure-requests"]),
  ].join("; ");
}

/** Security headers on every page, and a fresh CSP nonce that Next stamps on its scripts. */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const dev = !tessera.isProduction;
  const csp = contentSecurityPolicy(nonce, dev);

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set("x-pathname", request.nextUrl.pathname + request.nextUrl.search);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  const h = response.headers;
  h.set("content-security-policy", csp);
  h.set("x-frame-options", "DENY");
  h.set("x-content-type-options", "nosniff");
  h.set("cross-origin-opener-policy", "same-origin");
  h.set("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()");
  h.set("referrer-policy", AUTH_PAGES.some((p) => request.nextUrl.pathname.startsWith(p)) ? "no-referrer" : "strict-origin-when-cross-origin");
  if (!dev) h.set("strict-transport-security", "max-age=63072000; includeSubDomains");
  return response;
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
