import { describe, expect, it, vi } from "vitest";
import { createUser, meta, PASSWORD } from "@/tests/helpers";

// Settings → Security's actions as the browser posts them, signed in as `signedIn.user`.
const signedIn = vi.hoisted(() => ({ user: null as null | { id: string; name: string; email: string; sessionId: string } }));
vi.mock("@/lib/auth/current-user", () => ({ currentUser: async () => signedIn.user, requestPath: async () => "/settings/security" }));
vi.mock("@/lib/auth/request-meta", () => ({ requestMeta: async () => ({ ip: "203.0.113.7", userAgent: "test" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { signOutSessionAction } = await import("@/app/(dashboard)/settings/security/actions");
const { exchangeChallenge } = await import("./challenge");
const { findSessionUser } = await import("./sessions");
const { passwordStep } = await import("./sign-in");

const form = (sessionId: string) => {
  const data = new FormData();
  data.set("sessionId", sessionId);
  return data;
};

async function signedInTwice() {
  const user = await createUser();
  const here = (await exchangeChallenge(user.challengeToken, meta))!.sessionId;
  const step = await passwordStep({ email: user.email, password: PASSWORD }, meta);
  if (!step.ok) throw new Error(step.message);
  const laptop = (await exchangeChallenge(step.challengeToken, meta))!.sessionId;
  return { user, here, laptop, as: { id: user.userId, name: user.name, email: user.email, sessionId: here } };
}

describe("Settings → Security: Sign out one session", () => {
  it("user A cannot end user B's session by its id; B stays signed in", async () => {
    const alice = await signedInTwice();
    const bob = await signedInTwice();
    signedIn.user = alice.as;
    expect(await signOutSessionAction({}, form(bob.laptop))).toEqual({ error: "That session has already ended.", values: { sessionId: bob.laptop } });
    expect(await findSessionUser(bob.laptop)).toMatchObject({ id: bob.user.userId });
  });

  it("ends the user's own other session", async () => {
    const alice = await signedInTwice();
    signedIn.user = alice.as;
    expect(await signOutSessionAction({}, form(alice.laptop))).toEqual({ ok: true });
    expect(await findSessionUser(alice.laptop)).toBeNull();
    expect(await findSessionUser(alice.here)).not.toBeNull();
  });

  it("refuses a malformed id with a field message, and refuses without a session", async () => {
    const alice = await signedInTwice();
    signedIn.user = alice.as;
    expect((await signOutSessionAction({}, form("x".repeat(5000)))).fieldErrors?.sessionId).toEqual(["Choose a session."]);
    signedIn.user = null;
    expect((await signOutSessionAction({}, form(alice.laptop))).error).toBe("Your session has ended. Sign in again.");
    expect(await findSessionUser(alice.laptop)).not.toBeNull();
  });
});
