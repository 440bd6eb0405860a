import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { deriveKey } from "@/lib/security/secret";
import { CHALLENGE_COOKIE, exchangeChallenge } from "./challenge";
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
    session: { strategy: "jwt", maxAge: SESSION_TTL_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    providers: [
      CredentialsProvider({
        id: "challenge",
        name: "Sign-in challenge",
        credentials: {},
        async authorize(_credentials, req) {
          const h = new Headers(req.headers as Record<string, string>);
          const token = cookieValue(h.get("cookie") ?? undefined, CHALLENGE_COOKIE);
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
  return options;
}
