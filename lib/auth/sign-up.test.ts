import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, memberships, outbox, teams, users } from "@/lib/db/schema";
import { meta, PASSWORD, uniqueEmail } from "@/tests/helpers";
import { signUpInput } from "./input";
import { signUp } from "./sign-up";

const rows = async (table: typeof users | typeof teams | typeof memberships | typeof outbox | typeof auditEvents) =>
  (await db().select({ n: count() }).from(table))[0]!.n;

describe("sign-up", () => {
  it("creates the user, an owned personal team, an audit event, a completed challenge and a welcome email", async () => {
    const email = uniqueEmail();
    const result = await signUp({ name: "Ada Lovelace", email, password: PASSWORD }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [user] = await db().select().from(users).where(eq(users.id, result.userId));
    expect(user!.email).toBe(email);
    expect(user!.passwordHash).not.toContain(PASSWORD);
    const [membership] = await db().select().from(memberships).where(eq(memberships.userId, result.userId));
    expect(membership).toMatchObject({ teamId: result.teamId, role: "owner" });
    const [team] = await db().select().from(teams).where(eq(teams.id, result.teamId));
    expect(team!.name).toBe("Ada Lovelace's team");
    const events = await db().select().from(auditEvents).where(eq(auditEvents.userId, result.userId));
    expect(events.map((e) => e.type)).toEqual(["user.signed_up"]);
    expect(events[0]).toMatchObject({ ip: meta.ip, userAgent: meta.userAgent });
    const [mail] = await db().select().from(outbox).where(eq(outbox.to, email));
    expect(mail).toMatchObject({ channel: "email", subject: "Welcome to Tessera" });
    expect(mail!.text).not.toContain(PASSWORD);
    expect(result.challengeToken).toMatch(/^[\w-]{43}$/);
  });

  it("refuses an email already in use, in any letter case, and writes nothing", async () => {
    const email = uniqueEmail();
    await signUp({ name: "First", email, password: PASSWORD }, meta);
    const before = await Promise.all([rows(users), rows(teams), rows(memberships), rows(outbox), rows(auditEvents)]);

    const parsed = signUpInput.parse({ name: "Second", email: `  ${email.toUpperCase()} `, password: PASSWORD });
    const result = await signUp(parsed, meta);
    expect(result).toMatchObject({ ok: false, code: "EMAIL_TAKEN", field: "email" });
    expect(await Promise.all([rows(users), rows(teams), rows(memberships), rows(outbox), rows(auditEvents)])).toEqual(before);
  });

  it("lets exactly one of two concurrent sign-ups with one email through", async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      ["A", "B", "C", "D"].map((name, i) => signUp({ name, email, password: PASSWORD }, { ...meta, ip: `192.0.2.${i}` })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.code === "EMAIL_TAKEN")).toHaveLength(3);
    expect(await rows(users)).toBe(1);
    expect(await rows(teams)).toBe(1);
  });

  it("rate-limits sign-ups per IP address", async () => {
    const ip = "198.18.0.1";
    const results = [];
    for (let i = 0; i < 21; i++) results.push(await signUp({ name: "Bot", email: uniqueEmail("bot"), password: PASSWORD }, { ip }));
    expect(results.slice(0, 20).every((r) => r.ok)).toBe(true);
    expect(results[20]).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(await rows(users)).toBe(20);
  });
});

describe("sign-up input", () => {
  const valid = { name: "Ada", email: "ada@example.com", password: PASSWORD };
  const errorsOf = (input: unknown) => {
    const parsed = signUpInput.safeParse(input);
    return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [i.path[0], i.message]));
  };

  it("normalises the email: trimmed and lower-cased", () => {
    expect(signUpInput.parse({ ...valid, email: "  Ada@Example.COM " }).email).toBe("ada@example.com");
  });

  it("explains each bad field", () => {
    expect(errorsOf({ ...valid, email: "ada@" })).toEqual({ email: "Enter a valid email address, like name@example.com." });
    expect(errorsOf({ ...valid, password: "short" })).toEqual({ password: "Use at least 10 characters." });
    expect(errorsOf({ ...valid, name: "   " })).toEqual({ name: "Enter your name." });
    expect(errorsOf({})).toMatchObject({ name: "Enter your name.", email: "Enter your email address.", password: "Choose a password." });
  });
});
