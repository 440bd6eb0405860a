import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, memberships, type Role } from "@/lib/db/schema";
import { createUser, meta } from "@/tests/helpers";
import { summarizeEventData } from "./describe";
import { auditFiltersFrom, decodeCursor, listTeamEvents, listTeamMembersForAudit } from "./team-log";

type Event = { type: string; userId?: string | null; teamId?: string | null; actorId?: string | null; data?: Record<string, unknown>; minutesAgo: number };

/** Writes events at explicit times (minutes before now), as recordAudit would have at that time. */
async function seed(...events: Event[]) {
  await db()
    .insert(auditEvents)
    .values(
      events.map((e) => ({
        type: e.type,
        userId: e.userId ?? null,
        teamId: e.teamId ?? null,
        actorId: e.actorId ?? null,
        data: e.data ?? {},
        ip: meta.ip,
        userAgent: meta.userAgent,
        createdAt: sql`now() - (${e.minutesAgo} * interval '1 minute')`,
      })),
    );
}

/** Adds the user to the team with a membership `minutesAgo` old. */
async function joinAt(teamId: string, userId: string, minutesAgo: number, role: Role = "member") {
  await db()
    .insert(memberships)
    .values({ teamId, userId, role, createdAt: sql`now() - (${minutesAgo} * interval '1 minute')` });
}

/** A team (its owner's personal team) with its sign-up noise removed, so tests see only what they seed. */
async function team() {
  const owner = await createUser({ name: "Olivia Owner" });
  await db().delete(auditEvents);
  return owner;
}

const types = (page: Awaited<ReturnType<typeof listTeamEvents>>) => page.events.map((e) => e.type);

describe("listTeamEvents", () => {
  it("shows a member's own events only from when they joined, and the team's events", async () => {
    const owner = await team();
    const member = await createUser({ name: "Mia Member" });
    await db().delete(auditEvents);
    await joinAt(owner.teamId, member.userId, 60);
    await seed(
      { type: "factor.added", userId: member.userId, minutesAgo: 120, data: { kind: "totp" } },
      { type: "sign_in.succeeded", userId: member.userId, minutesAgo: 90, data: { method: "password" } },
      { type: "invitation.accepted", userId: member.userId, teamId: owner.teamId, minutesAgo: 60 },
      { type: "sign_in.succeeded", userId: member.userId, minutesAgo: 30, data: { method: "totp" } },
      { type: "factor.removed", userId: member.userId, minutesAgo: 10, data: { kind: "sms" } },
      { type: "policy.changed", teamId: owner.teamId, actorId: owner.userId, minutesAgo: 5, data: { changed: { graceDays: { from: 0, to: 7 } } } },
    );

    const page = await listTeamEvents(owner.teamId);
    expect(types(page)).toEqual(["policy.changed", "factor.removed", "sign_in.succeeded", "invitation.accepted"]);
    expect(page.events[1]).toMatchObject({
      description: "Second factor removed",
      member: { id: member.userId, name: "Mia Member", email: member.email },
      actor: null,
      ip: null,
      userAgent: null,
      device: null,
      details: "Method: Text message (SMS)",
    });
    // A member's sign-in: that they passed a second factor, and when — nothing more.
    expect(page.events[2]).toMatchObject({ description: "Passed two-factor authentication at sign-in", ip: null, device: null, data: {}, details: "" });
    // Accepting the invitation is the member's own doing: no IP either.
    expect(page.events[3]).toMatchObject({ ip: null, device: null });
    // The admin's change inside the team keeps where it came from.
    expect(page.events[0]).toMatchObject({ member: null, actor: { id: owner.userId, name: "Olivia Owner" }, details: "Grace period: none → 7 days", ip: meta.ip, device: "Chrome on Linux" });
    expect(page).toMatchObject({ olderCursor: null, newerCursor: null });
  });

  it("never shows another team's events, even about its own members", async () => {
    const owner = await team();
    const other = await createUser({ name: "Other Owner" });
    const member = await createUser({ name: "Mia Member" });
    await db().delete(auditEvents);
    await joinAt(owner.teamId, member.userId, 60);
    await joinAt(other.teamId, member.userId, 60, "admin");
    await seed(
      { type: "member.role_changed", teamId: other.teamId, userId: member.userId, actorId: other.userId, minutesAgo: 20, data: { from: "member", to: "admin" } },
      { type: "policy.changed", teamId: other.teamId, actorId: member.userId, minutesAgo: 15 },
      { type: "credits.added", teamId: other.teamId, actorId: other.userId, minutesAgo: 14, data: { amount: 5 } },
      { type: "sign_in.succeeded", userId: other.userId, minutesAgo: 13, data: { method: "totp" } },
      { type: "sign_in.succeeded", userId: member.userId, minutesAgo: 10, data: { method: "sms" } },
    );

    expect(types(await listTeamEvents(owner.teamId))).toEqual(["sign_in.succeeded"]);
    expect(types(await listTeamEvents(owner.teamId, { userId: member.userId }))).toEqual(["sign_in.succeeded"]);
    // The other owner's sign-in 13 minutes ago predates their team (created at sign-up, just now).
    expect(types(await listTeamEvents(other.teamId))).toEqual(["sign_in.succeeded", "credits.added", "policy.changed", "member.role_changed"]);
  });

  it("drops a former member's own events but keeps the team's record about them", async () => {
    const owner = await team();
    const member = await createUser({ name: "Mia Member" });
    await db().delete(auditEvents);
    await joinAt(owner.teamId, member.userId, 60);
    await seed(
      { type: "sign_in.succeeded", userId: member.userId, minutesAgo: 30 },
      { type: "member.removed", teamId: owner.teamId, userId: member.userId, actorId: owner.userId, minutesAgo: 5, data: { role: "member" } },
    );
    await db().delete(memberships).where(eq(memberships.userId, member.userId));
    const page = await listTeamEvents(owner.teamId);
    expect(types(page)).toEqual(["member.removed"]);
    expect(page.events[0]).toMatchObject({ member: { name: "Mia Member" }, actor: { name: "Olivia Owner" }, details: "Role: Member" });
  });

  it("filters by member (their events, and team events they did) and by event type", async () => {
    const owner = await team();
    const [ann, bob] = [await createUser({ name: "Ann" }), await createUser({ name: "Bob" })];
    await db().delete(auditEvents);
    await joinAt(owner.teamId, ann.userId, 60, "admin");
    await joinAt(owner.teamId, bob.userId, 60);
    await seed(
      { type: "sign_in.succeeded", userId: ann.userId, minutesAgo: 50, data: { method: "webauthn" } },
      { type: "sign_in.succeeded", userId: bob.userId, minutesAgo: 40, data: { method: "totp" } },
      { type: "factor.added", userId: bob.userId, minutesAgo: 35, data: { kind: "totp" } },
      { type: "member.role_changed", teamId: owner.teamId, userId: bob.userId, actorId: ann.userId, minutesAgo: 30, data: { from: "member", to: "admin" } },
      { type: "policy.changed", teamId: owner.teamId, actorId: owner.userId, minutesAgo: 20 },
    );

    const bobs = await listTeamEvents(owner.teamId, { userId: bob.userId });
    expect(types(bobs)).toEqual(["member.role_changed", "factor.added", "sign_in.succeeded"]);
    expect(bobs.events[0]).toMatchObject({ member: { name: "Bob" }, actor: { name: "Ann" }, details: "Role: Member → Admin" });
    expect(types(await listTeamEvents(owner.teamId, { userId: ann.userId }))).toEqual(["member.role_changed", "sign_in.succeeded"]);
    expect(types(await listTeamEvents(owner.teamId, { userId: owner.userId }))).toEqual(["policy.changed"]);

    const signIns = await listTeamEvents(owner.teamId, { type: "sign_in.succeeded" });
    expect(signIns.events.map((e) => e.member?.name)).toEqual(["Bob", "Ann"]);
    expect(types(await listTeamEvents(owner.teamId, { type: "sign_in.succeeded", userId: bob.userId }))).toEqual(["sign_in.succeeded"]);
    expect(types(await listTeamEvents(owner.teamId, { type: "no.such_event" }))).toEqual([]);
    expect(types(await listTeamEvents(owner.teamId, { userId: "not-a-uuid" }))).toEqual([]);
    expect(types(await listTeamEvents(owner.teamId, { userId: randomUUID() }))).toEqual([]);
  });

  it("pages through events of the same instant without skipping or repeating one, both ways", async () => {
    const owner = await team();
    const member = await createUser();
    await db().delete(auditEvents);
    await joinAt(owner.teamId, member.userId, 600);
    // 30 events share one timestamp (the tie is broken by id), the rest are a minute apart.
    const instant = sql`date_trunc('second', now()) - interval '3 minutes'`;
    await db()
      .insert(auditEvents)
      .values(
        Array.from({ length: 30 }, (_, i) => ({ type: "sign_in.succeeded", userId: i % 2 ? member.userId : null, teamId: i % 2 ? null : owner.teamId, data: { method: "totp" }, createdAt: instant })),
      );
    await seed(...Array.from({ length: 45 }, (_, i) => ({ type: "factor.added", userId: member.userId, minutesAgo: i + (i >= 3 ? 1 : 0), data: { kind: "totp" } })));

    const all = await db().select({ id: auditEvents.id }).from(auditEvents);
    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let before: string | null = null;
    do {
      const page = await listTeamEvents(owner.teamId, { before, limit: 20 });
      seen.push(...page.events.map((e) => e.id));
      cursors.push(page.newerCursor);
      for (let i = 1; i < page.events.length; i++) expect(page.events[i - 1]!.createdAt >= page.events[i]!.createdAt).toBe(true);
      before = page.olderCursor;
    } while (before);
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen).size).toBe(all.length);
    expect(cursors[0]).toBeNull();

    // Back from the last page with "newer": the same pages in reverse.
    const last = await listTeamEvents(owner.teamId, { before: (await listTeamEvents(owner.teamId, { limit: 60 })).olderCursor, limit: 20 });
    expect(last.events).toHaveLength(15);
    const newer = await listTeamEvents(owner.teamId, { after: last.newerCursor, limit: 20 });
    expect(newer.events.map((e) => e.id)).toEqual(seen.slice(40, 60));
    expect(newer.olderCursor).not.toBeNull();
    const newest = await listTeamEvents(owner.teamId, { after: (await listTeamEvents(owner.teamId, { after: newer.newerCursor, limit: 20 })).newerCursor, limit: 20 });
    expect(newest.events.map((e) => e.id)).toEqual(seen.slice(0, 20));
    expect(newest.newerCursor).toBeNull();
  });

  it("reads a malformed cursor as the first page", async () => {
    const owner = await team();
    await seed({ type: "policy.changed", teamId: owner.teamId, minutesAgo: 1 });
    for (const bad of ["", "x", Buffer.from("2026-01-01|nope").toString("base64url"), Buffer.from("'; drop table users; --|x").toString("base64url")]) {
      expect(decodeCursor(bad)).toBeNull();
      expect(types(await listTeamEvents(owner.teamId, { before: bad }))).toEqual(["policy.changed"]);
    }
  });

  it("lists the team's current members for the filter, by name", async () => {
    const owner = await team();
    const [zed, amy] = [await createUser({ name: "zed" }), await createUser({ name: "Amy" })];
    await joinAt(owner.teamId, zed.userId, 1);
    await joinAt(owner.teamId, amy.userId, 1);
    expect((await listTeamMembersForAudit(owner.teamId)).map((m) => m.name)).toEqual(["Amy", "Olivia Owner", "zed"]);
  });
});

describe("auditFiltersFrom", () => {
  it("keeps a member id and a known event type, and drops anything else", () => {
    const id = randomUUID();
    expect(auditFiltersFrom(new URLSearchParams({ member: id, type: "factor.added" }))).toEqual({ userId: id, type: "factor.added" });
    expect(auditFiltersFrom(new URLSearchParams({ member: "1 or 1=1", type: "toString" }))).toEqual({ userId: null, type: null });
    expect(auditFiltersFrom(new URLSearchParams())).toEqual({ userId: null, type: null });
  });
});

describe("summarizeEventData", () => {
  it.each([
    [{ method: "trusted_device" }, "Method: Remembered device"],
    [{ method: "recovery_code" }, "Method: Recovery code"],
    [{ kind: "webauthn", factorId: randomUUID() }, "Method: Security key or passkey"],
    [{ label: "Work phone", factorId: randomUUID() }, "Name: “Work phone”"],
    [{ remaining: 3 }, "Codes left: 3"],
    [{ amount: 25, balance: 75, ledgerId: randomUUID() }, "Amount: +25 · Balance: 75"],
    [{ amount: 1500, balance: 12000 }, "Amount: +1,500 · Balance: 12,000"],
    [{ factors: 2, kinds: ["totp", "sms"] }, "Factors removed: 2 · Methods: Authenticator app, Text message (SMS)"],
    [{ email: "new@example.com", role: "admin", invitationId: randomUUID(), resent: true }, "Email: new@example.com · Role: Admin · Resent"],
    [{ changed: { requireTwoFactor: { from: false, to: true }, allowedMethods: { from: ["totp"], to: ["totp", "webauthn"] } } }, "Require 2FA: off → on; Allowed methods: Authenticator app → Authenticator app, Security key or passkey"],
    [{ storedCounter: 7, receivedCounter: 3, factorId: randomUUID() }, "Stored counter: 7 · Received counter: 3"],
    [{}, ""],
  ])("%j → %s", (data, expected) => expect(summarizeEventData(data)).toBe(expected));
});
