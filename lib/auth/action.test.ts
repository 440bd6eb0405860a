import { describe, expect, it, vi } from "vitest";
import { z } from "zod";

const signedIn = vi.hoisted(() => ({ user: null as null | { id: string; name: string; email: string; sessionId: string }, blocked: false }));
vi.mock("./current-user", () => ({ currentUser: async () => signedIn.user, requestPath: async () => "/team/members" }));
vi.mock("./policy-gate", () => ({ blockedAt: async () => signedIn.blocked, SETUP_REQUIRED_MESSAGE: "Set it up first." }));

const { validatedAction, validatedActionWithUser } = await import("./action");

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.set(key, value);
  return data;
};

describe("server action helpers", () => {
  const schema = z.object({ email: z.email("Enter a valid email address."), password: z.string().min(10, "Too short.") });

  it("never calls the handler with bad input, and returns field messages and the values (never passwords)", async () => {
    const handler = vi.fn();
    const action = validatedAction(schema, handler);
    const state = await action({}, form({ email: "nope", password: "short" }));
    expect(handler).not.toHaveBeenCalled();
    expect(state.fieldErrors).toEqual({ email: ["Enter a valid email address."], password: ["Too short."] });
    expect(state.values).toEqual({ email: "nope" });
  });

  it("hands parsed input to the handler", async () => {
    const action = validatedAction(schema, async (input) => ({ ok: true, data: input.email }));
    expect(await action({}, form({ email: "a@example.com", password: "long enough!" }))).toEqual({ ok: true, data: "a@example.com" });
  });

  it("refuses without a live session and never runs the handler", async () => {
    signedIn.user = null;
    const handler = vi.fn();
    const state = await validatedActionWithUser(z.object({}), handler)({}, form({}));
    expect(state.error).toBe("Your session has ended. Sign in again.");
    expect(handler).not.toHaveBeenCalled();
  });

  it("refuses a user whom a team's 2FA requirement blocks, and never runs the handler", async () => {
    signedIn.user = { id: "u1", name: "Ada", email: "ada@example.com", sessionId: "s1" };
    signedIn.blocked = true;
    const handler = vi.fn();
    const state = await validatedActionWithUser(z.object({}), handler)({}, form({}));
    signedIn.blocked = false;
    expect(state.error).toBe("Set it up first.");
    expect(handler).not.toHaveBeenCalled();
  });

  it("passes the signed-in user to the handler", async () => {
    signedIn.user = { id: "u1", name: "Ada", email: "ada@example.com", sessionId: "s1" };
    const state = await validatedActionWithUser(z.object({}), async (_input, user) => ({ ok: true, data: user.id }))({}, form({}));
    expect(state).toEqual({ ok: true, data: "u1" });
  });
});
