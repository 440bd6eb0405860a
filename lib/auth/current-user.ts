import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getToken } from "next-auth/jwt";
import { cache } from "react";
import { authOptions } from "./next-auth";
import { blockedAt, SETUP_PATH } from "./policy-gate";
import { findSessionUser, type SessionUser } from "./sessions";

/**
 * The signed-in user, or null. A valid JWT is not enough: the `sessions` row it names must
 * be live, so a signed-out or revoked session ends at once. Cached per request.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const token = await getToken({
    req: { cookies: await cookies(), headers: {} } as never,
    secret: authOptions().secret,
  });
  return token?.sid ? findSessionUser(token.sid) : null;
});

/** The path of this request (set by proxy.ts); a server action reports the page it was posted from. */
export async function requestPath(): Promise<string> {
  return (await headers()).get("x-pathname") ?? "/dashboard";
}

/**
 * For pages: the signed-in user, or a redirect to sign-in that comes back here. A user whom
 * a team's 2FA requirement blocks is sent to set up a factor, wherever they were going.
 */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  const path = await requestPath();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  if (await blockedAt(user.id, path)) redirect(SETUP_PATH);
  return user;
}
