import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getToken } from "next-auth/jwt";
import { cache } from "react";
import { durationPhrase } from "@/lib/format/wait";
import { authOptions, sessionTokenCookie } from "./next-auth";
import { blockedAt, SETUP_PATH } from "./policy-gate";
import { lookupSession, type SessionLookup, type SessionUser } from "./sessions";

/** The session the request's cookie names (one query; it also records the activity). Cached per request. */
const requestSession = cache(async (): Promise<SessionLookup | null> => {
  const token = await getToken({
    // No headers: a bearer token in Authorization must not stand in for the cookie.
    req: { cookies: await cookies(), headers: {} } as never,
    secret: authOptions().secret,
    ...sessionTokenCookie(),
  });
  return token?.sid ? lookupSession(token.sid) : null;
});

/**
 * The signed-in user, or null. A valid JWT is not enough: the `sessions` row it names must
 * be live — not revoked, used within the idle timeout, within its lifetime — so a signed-out,
 * revoked or timed-out session ends at once.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => (await requestSession())?.user ?? null);

/**
 * Why this browser was signed out, when its session timed out: "You were signed out after an
 * hour without activity." Read from the browser's own (signed) session cookie, never from the
 * URL, so nobody can put the words on someone else's sign-in page; a revoked session says nothing.
 */
export async function signedOutNotice(): Promise<string | null> {
  const ended = (await requestSession())?.ended;
  if (!ended) return null;
  if (ended.reason === "idle") return `You were signed out after ${durationPhrase(ended.minutes)} without activity. Sign in again to continue.`;
  return `You were signed out ${durationPhrase(ended.hours * 60)} after signing in. Sign in again to continue.`;
}

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
