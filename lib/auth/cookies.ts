import { cookies } from "next/headers";
import { config } from "@/lib/config";
import { TRUSTED_DEVICE_COOKIE } from "@/lib/factors/trusted-devices";
import { CHALLENGE_COOKIE, CHALLENGE_TTL_SECONDS } from "./challenge";

/**
 * Served over https, every auth cookie is a `__Host-` cookie: the browser accepts it only
 * with Secure, Path=/ and no Domain, so neither a sibling subdomain nor a plain-http page can
 * plant or overwrite it (a fixed session, a forced sign-in challenge). Over plain http
 * (development, e2e on localhost) the names stay unprefixed: browsers refuse `__Host-` there.
 * next-auth decides the same way (NEXTAUTH_URL is https), so its cookies and ours agree.
 */
export const secureCookies = (): boolean => config.appUrl.protocol === "https:";

/** The one way to name an auth cookie: `__Host-<name>` over https, `<name>` otherwise. */
export const cookieName = (name: string): string => (secureCookies() ? `__Host-${name}` : name);

/** The attributes every auth cookie shares (never a Domain: `__Host-` forbids it). */
export const authCookieOptions = () => ({ httpOnly: true, sameSite: "lax" as const, secure: secureCookies(), path: "/" });

/** Hands the sign-in challenge's token to the browser: httpOnly, SameSite=Lax, 10 minutes. */
export async function setChallengeCookie(token: string): Promise<void> {
  (await cookies()).set(cookieName(CHALLENGE_COOKIE), token, { ...authCookieOptions(), maxAge: CHALLENGE_TTL_SECONDS });
}

export async function readChallengeCookie(): Promise<string | undefined> {
  return (await cookies()).get(cookieName(CHALLENGE_COOKIE))?.value;
}

/** "Remember this device": an httpOnly cookie that lives as long as the trusted-device row. */
export async function setTrustedDeviceCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(cookieName(TRUSTED_DEVICE_COOKIE), token, { ...authCookieOptions(), expires: expiresAt });
}

export async function readTrustedDeviceCookie(): Promise<string | undefined> {
  return (await cookies()).get(cookieName(TRUSTED_DEVICE_COOKIE))?.value;
}
