/** Only same-site paths may be redirected to after sign-in (no open redirect). */
export function safeCallbackUrl(value: unknown, fallback = "/dashboard"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return fallback;
  try {
    const url = new URL(value, "http://tessera.invalid");
    // "/.//evil.example" parses to the path "//evil.example": check what comes out, too.
    if (url.origin !== "http://tessera.invalid" || url.pathname.startsWith("//")) return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
