import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { deriveKey } from "@/lib/security/secret";
import { CHALLENGE_COOKIE, exchangeChallenge } from "./challenge";
import { authCookieOptions, cookieName, secureCookies } from "./cookies";
import { metaFromHeaders, requestMeta } from "./request-meta";
import { revokeSession, SESSION_TTL_SECONDS } from "./sessions";

declare module "next-auth" {
  interface User {
    sessionId: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    sid?: string;
  }
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of cookieHeader?.split(";") ?? []) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/** The session cookie's base name; `cookieName()` adds `__Host-` over https. */
export const SESSION_COOKIE = "next-auth.session-token";

/**
 * The cookies next-auth sets, named by the same helper as ours: `__Host-` over https (next-auth
 * would use `__Secure-` for the session, which a sibling subdomain can still overwrite).
 * `getToken` must read the same name: see `sessionTokenCookie`.
 */
function nextAuthCookies(): NextAuthOptions["cookies"] {
  return {
    sessionToken: { name: cookieName(SESSION_COOKIE), options: authCookieOptions() },
    csrfToken: { name: cookieName("next-auth.csrf-token"), options: authCookieOptions() },
    callbackUrl: { name: cookieName("next-auth.callback-url"), options: authCookieOptions() },
  };
}

/** What `getToken` needs to find the session cookie next-auth set. */
export const sessionTokenCookie = () => ({ cookieName: cookieName(SESSION_COOKIE), secureCookie: secureCookies() });

let options: NextAuthOptions | undefined;

/**
 * next-auth's configuration. Its only provider takes no password: it exchanges the
 * completed sign-in challenge (cookie) for a session, once. The JWT carries the id of a
 * `sessions` row, and every protected request checks that row (lib/auth/current-user.ts).
 * Built lazily so that `next build` never touches the data folder.
 */
export function authOptions(): NextAuthOptions {
  options ??= {
    secret: deriveKey("next-auth").toString("base64url"),
    // The JWT never outlives the absolute maximum; the server enforces the team's (shorter)
    // limits and the idle timeout on every request (lib/auth/sessions.ts lookupSession).
    session: { strategy: "jwt", maxAge: SESSION_TTL_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "challenge",
        name: "Sign-in challenge",
        credentials: {},
        async authorize(_credentials, req) {
          const h = new Headers(req.headers as Record<string, string>);
          const token = cookieValue(h.get("cookie") ?? undefined, cookieName(CHALLENGE_COOKIE));
          const exchanged = token ? await exchangeChallenge(token, metaFromHeaders(h)) : null;
          if (!exchanged) return null;
          return { id: exchanged.userId, sessionId: exchanged.sessionId };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sid = user.sessionId;
        return token;
      },
      session({ session, token }) {
        // The browser learns nothing but that it is signed in; pages load the user server-side.
        return { expires: session.expires, user: { id: token.sub } } as typeof session;
      },
    },
    events: {
      async signOut({ token }) {
        // Runs inside next-auth's route handler, so the request's headers are at hand.
        if (token?.sid) await revokeSession(token.sid, await requestMeta());
      },
    },
  };
  // Named per call: the names follow NEXTAUTH_URL, which tests change.
  return { ...options, cookies: nextAuthCookies() };
}
