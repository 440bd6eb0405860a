import { cookies } from "next/headers";
import { config } from "@/lib/config";
import { CHALLENGE_COOKIE, CHALLENGE_TTL_SECONDS } from "./challenge";

/** Hands the sign-in challenge's token to the browser: httpOnly, SameSite=Lax, 10 minutes. */
export async function setChallengeCookie(token: string): Promise<void> {
  (await cookies()).set(CHALLENGE_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: config.isProduction && process.env.NEXTAUTH_URL?.startsWith("https://") === true,
    path: "/",
    maxAge: CHALLENGE_TTL_SECONDS,
  });
}
