import { cookies } from "next/headers";
import { config } from "@/lib/config";
import { TRUSTED_DEVICE_COOKIE } from "@/lib/factors/trusted-devices";
import { CHALLENGE_COOKIE, CHALLENGE_TTL_SECONDS } from "./challenge";

// Secure only when served over https (a local `npm start` on http must still work).
const secure = () => config.isProduction && config.appUrl.protocol === "https:";

/** Hands the sign-in challenge's token to the browser: httpOnly, SameSite=Lax, 10 minutes. */
export async function setChallengeCookie(token: string): Promise<void> {
  (await cookies()).set(CHALLENGE_COOKIE, token, { httpOnly: true, sameSite: "lax", secure: secure(), path: "/", maxAge: CHALLENGE_TTL_SECONDS });
}

export async function readChallengeCookie(): Promise<string | undefined> {
  return (await cookies()).get(CHALLENGE_COOKIE)?.value;
}

/** "Remember this device": an httpOnly cookie that lives as long as the trusted-device row. */
export async function setTrustedDeviceCookie(token: string, expiresAt: Date): Promise<void> {
  (await cookies()).set(TRUSTED_DEVICE_COOKIE, token, { httpOnly: true, sameSite: "lax", secure: secure(), path: "/", expires: expiresAt });
}

export async function readTrustedDeviceCookie(): Promise<string | undefined> {
  return (await cookies()).get(TRUSTED_DEVICE_COOKIE)?.value;
}
