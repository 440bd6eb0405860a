import { describe, expect, it, vi } from "vitest";
import { z } from "zod";

const signedIn = vi.hoisted(() => ({ user: null as null | { id: string; name: string; email: string; sessionId: string }, blocked: false }));
vi.mock("./current-user", () => ({ currentUser: async () => signedIn.user, requestPath: async () => "/team/members" }));
vi.mock("./policy-gate", () => ({ blockedAt: async () => signedIn.blocked, SETUP_REQUIRED_MESSAGE: "Set it up first." }));

vi.mock("./cookies", () => ({ readChallengeCookie: async () => "challenge-token" }));

const { DATABASE_UNAVAILABLE_MESSAGE, formAction, refusalState, typedAction } = await import("./action");

const form = (entries: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.set(key, value);
  return data;
};

describe("server action helpers", () => {
  const schema = z.object({ email: z.email("Enter a valid email address."), password: z.string().min(10, "Too short.") });

  it("never calls the handler with bad input, and returns field messages and the values (never passwords)", async () => {
    const handler = vi.fn();
    const action = formAction({ schema }, handler);
    const state = await action({}, form({ email: "nope", password: "short" }));
    expect(handler).not.toHaveBeenCalled();
    expect(state.fieldErrors).toEqual({ email: ["Enter a valid email address."], password: ["Too short."] });
    expect(state.values).toEqual({ email: "nope" });
  });

  it("hands parsed input to the handler", async () => {
    const action = formAction({ schema }, async (input) => ({ ok: true, data: input.email }));
    expect(await action({}, form({ email: "a@example.com", password: "long enough!" }))).toEqual({ ok: true, data: "a@example.com" });
  });

  it("refuses without a live session and never runs the handler", async () => {
    signedIn.user = null;
    const handler = vi.fn();
    const state = await formAction({ auth: "user", schema: z.object({}) }, handler)({}, form({}));
    expect(state.error).toBe("Your session has ended. Sign in again.");
    expect(handler).not.toHaveBeenCalled();
  });

  it("refuses a user whom a team's 2FA requirement blocks, and never runs the handler", async () => {
    signedIn.user = { id: "u1", name: "Ada", email: "ada@example.com", sessionId: "s1" };
    signedIn.blocked = true;
    const handler = vi.fn();
    const state = await formAction({ auth: "user", schema: z.object({}) }, handler)({}, form({}));
    signedIn.blocked = false;
    expect(state.error).toBe("Set it up first.");
    expect(handler).not.toHaveBeenCalled();
  });

  it("passes the signed-in user to the handler", async () => {
    signedIn.user = { id: "u1", name: "Ada", email: "ada@example.com", sessionId: "s1" };
    const state = await formAction({ auth: "user", schema: z.object({}) }, async (_input, user) => ({ ok: true, data: user.id }))({}, form({}));
    expect(state).toEqual({ ok: true, data: "u1" });
  });
});

describe("typed actions", () => {
  type Answer = { ok: true; code: string } | { ok: false; error: string; restart?: boolean };
  const verify = typedAction(
    { auth: "session", args: z.tuple([z.string().min(1, "Enter the code.")]) },
    async ([code], user): Promise<Answer> => ({ ok: true, code: `${user.id}:${code}` }),
  );

  it("refuses without a live session, with restart, before reading the arguments", async () => {
    signedIn.user = null;
    expect(await verify("")).toEqual({ ok: false, error: "Your session has ended. Sign in again.", restart: true });
  });

  it("answers a refused argument with its message, and ignores arguments past the tuple", async () => {
    signedIn.user = { id: "u1", name: "Ada", email: "ada@example.com", sessionId: "s1" };
    expect(await verify("")).toEqual({ ok: false, error: "Enter the code." });
    const withExtra = verify as unknown as (...args: unknown[]) => Promise<Answer>;
    expect(await withExtra("123456", true)).toEqual({ ok: true, code: "u1:123456" });
  });

  it("hands the challenge cookie's token to a challenge action, without a session", async () => {
    signedIn.user = null;
    const action = typedAction({ auth: "challenge", args: z.tuple([]) }, async (_args, challenge): Promise<Answer> => ({ ok: true, code: String(challenge) }));
    expect(await action()).toEqual({ ok: true, code: "challenge-token" });
  });

  it("answers a database outage with the same message as the forms", async () => {
    const down = async (): Promise<Answer> => {
      throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    expect(await typedAction({ args: z.tuple([]) }, down)()).toEqual({ ok: false, error: DATABASE_UNAVAILABLE_MESSAGE });
    expect(await formAction({ schema: z.object({}) }, down)({}, form({}))).toEqual({ error: DATABASE_UNAVAILABLE_MESSAGE, values: {} });
  });
});

describe("refusalState", () => {
  it("puts a refusal on its field, or on the form", () => {
    expect(refusalState({ message: "Taken.", field: "email" })).toEqual({ fieldErrors: { email: ["Taken."] } });
    expect(refusalState({ message: "No." })).toEqual({ error: "No." });
    expect(refusalState({ message: "Too long." }, "name")).toEqual({ fieldErrors: { name: ["Too long."] } });
  });
});
