import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getToken } from "next-auth/jwt";
import { cache } from "react";
import { authOptions } from "./next-auth";
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

/** For pages: the signed-in user, or a redirect to sign-in that comes back here. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const path = (await headers()).get("x-pathname") ?? "/dashboard";
    redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  }
  return user;
}
