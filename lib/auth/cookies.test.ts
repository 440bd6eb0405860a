import { encode } from "next-auth/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { db } from "@/lib/db";
import { sessions, teams } from "@/lib/db/schema";
import { createSignedInUser, meta } from "@/tests/helpers";

// A cookie jar standing in for next/headers: what the code sets, and what the browser sends.
const jar = vi.hoisted(() => ({ sent: new Map<string, string>(), set: [] as { name: string; value: string; options: Record<string, unknown> }[] }));
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (jar.sent.has(name) ? { name, value: jar.sent.get(name)! } : undefined),
    getAll: () => [...jar.sent].map(([name, value]) => ({ name, value })),
    has: (name: string) => jar.sent.has(name),
    set: (name: string, value: string, options: Record<string, unknown>) => jar.set.push({ name, value, options }),
  }),
  headers: async () => new Headers(),
}));

const { authOptions } = await import("./next-auth");
const { cookieName, readChallengeCookie, setChallengeCookie, setTrustedDeviceCookie } = await import("./cookies");
const { currentUser, signedOutNotice } = await import("./current-user");
const { revokeSession } = await import("./sessions");

afterEach(() => {
  vi.unstubAllEnvs();
  jar.sent.clear();
  jar.set.length = 0;
});

const hostOnly = { secure: true, path: "/", httpOnly: true, sameSite: "lax" };

describe("auth cookies over https carry the __Host- prefix (Secure, Path=/, no Domain)", () => {
  it("next-auth's session and CSRF cookies", () => {
    vi.stubEnv("NEXTAUTH_URL", "https://tessera.example.com");
    const cookies = authOptions().cookies!;
    expect(cookies.sessionToken).toEqual({ name: "__Host-next-auth.session-token", options: hostOnly });
    expect(cookies.csrfToken).toEqual({ name: "__Host-next-auth.csrf-token", options: hostOnly });
    expect(cookies.callbackUrl).toEqual({ name: "__Host-next-auth.callback-url", options: hostOnly });
    for (const cookie of [cookies.sessionToken, cookies.csrfToken, cookies.callbackUrl]) expect(cookie!.options).not.toHaveProperty("domain");
  });

  it("the sign-in challenge and the remembered-device cookies", async () => {
    vi.stubEnv("NEXTAUTH_URL", "https://tessera.example.com");
    await setChallengeCookie("challenge-token");
    await setTrustedDeviceCookie("device-token", new Date(Date.now() + 86_400_000));
    expect(jar.set.map((c) => c.name)).toEqual(["__Host-tessera_challenge", "__Host-tessera_device"]);
    for (const cookie of jar.set) {
      expect(cookie.options).toMatchObject(hostOnly);
      expect(cookie.options).not.toHaveProperty("domain");
    }
    // Read back under the same name; a cookie planted without the prefix (say by a sibling
    // subdomain, which can set `tessera_challenge` for the parent domain) is not read.
    jar.sent.set("tessera_challenge", "planted");
    expect(await readChallengeCookie()).toBeUndefined();
    jar.sent.set("__Host-tessera_challenge", "mine");
    expect(await readChallengeCookie()).toBe("mine");
  });

  it("the server reads the session from the __Host- cookie only (getToken uses the same name)", async () => {
    vi.stubEnv("NEXTAUTH_URL", "https://tessera.example.com");
    const user = await createSignedInUser();
    const jwt = await encode({ token: { sid: user.sessionId, sub: user.userId }, secret: authOptions().secret! });
    jar.sent.set("next-auth.session-token", jwt);
    jar.sent.set("__Secure-next-auth.session-token", jwt);
    expect(await currentUser()).toBeNull();
    jar.sent.set("__Host-next-auth.session-token", jwt);
    expect(await currentUser()).toMatchObject({ id: user.userId, sessionId: user.sessionId });
  });

  it("over plain http (development, e2e on localhost) the names stay as they were", async () => {
    vi.stubEnv("NEXTAUTH_URL", "http://localhost:3203");
    expect(cookieName("tessera_challenge")).toBe("tessera_challenge");
    expect(authOptions().cookies!.sessionToken).toEqual({ name: "next-auth.session-token", options: { ...hostOnly, secure: false } });
    await setChallengeCookie("t");
    expect(jar.set[0]).toMatchObject({ name: "tessera_challenge", options: { secure: false, path: "/" } });
    const user = await createSignedInUser();
    jar.sent.set("next-auth.session-token", await encode({ token: { sid: user.sessionId }, secret: authOptions().secret! }));
    expect(await currentUser()).toMatchObject({ id: user.userId });
  });
});

describe("the sign-in page says calmly why a session ended, to the browser that held it", () => {
  async function browserWithSession() {
    const user = await createSignedInUser();
    jar.sent.set("next-auth.session-token", await encode({ token: { sid: user.sessionId }, secret: authOptions().secret! }));
    return user;
  }
  const age = (sessionId: string, set: { createdAt?: ReturnType<typeof sql>; lastActiveAt?: ReturnType<typeof sql> }) =>
    db().update(sessions).set(set).where(eq(sessions.id, sessionId));

  it("after the idle timeout, with the team's own value", async () => {
    const user = await browserWithSession();
    expect(await signedOutNotice()).toBeNull();
    await age(user.sessionId, { lastActiveAt: sql`now() - interval '61 minutes'` });
    expect(await signedOutNotice()).toBe("You were signed out after an hour without activity. Sign in again to continue.");
    await db().update(teams).set({ sessionIdleMinutes: 15 }).where(eq(teams.id, user.teamId));
    expect(await signedOutNotice()).toBe("You were signed out after 15 minutes without activity. Sign in again to continue.");
  });

  it("after the absolute lifetime", async () => {
    const user = await browserWithSession();
    await age(user.sessionId, { createdAt: sql`now() - interval '25 hours'` });
    expect(await signedOutNotice()).toBe("You were signed out 24 hours after signing in. Sign in again to continue.");
  });

  it("nothing for a session that was signed out or revoked, or a cookie that names none", async () => {
    const user = await browserWithSession();
    await age(user.sessionId, { lastActiveAt: sql`now() - interval '61 minutes'` });
    await revokeSession(user.sessionId, meta);
    expect(await signedOutNotice()).toBeNull();
    jar.sent.set("next-auth.session-token", "not-a-jwt");
    expect(await signedOutNotice()).toBeNull();
  });
});
