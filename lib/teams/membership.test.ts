import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findSessionUser } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { auditEvents, memberships, teams, users } from "@/lib/db/schema";
import { listFactors } from "@/lib/factors";
import { addTotpFactor, createSignedInUser, joinTeam, meta, uniqueEmail } from "@/tests/helpers";
import { changeRole, MEMBERSHIP_ERRORS, removeMember } from "./membership";

/** A user who owns a personal team, written straight to the tables (no password hashing: these tests never sign in). */
async function createUser({ name }: { name: string }) {
  const [user] = await db().insert(users).values({ name, email: uniqueEmail(), passwordHash: "scrypt$unused" }).returning({ id: users.id });
  const [team] = await db().insert(teams).values({ name: `${name}'s team` }).returning({ id: teams.id });
  await joinTeam(team!.id, user!.id, "owner");
  return { userId: user!.id, teamId: team!.id };
}

/** A team owned by a new user, with an admin and a member. */
async function team() {
  const owner = await createUser({ name: "Olive Owner" });
  const admin = await createUser({ name: "Adam Admin" });
  const member = await createUser({ name: "Mia Member" });
  await joinTeam(owner.teamId, admin.userId, "admin");
  await joinTeam(owner.teamId, member.userId, "member");
  return { teamId: owner.teamId, owner, admin, member };
}

const roles = async (teamId: string) =>
  Object.fromEntries(
    (await db().select({ userId: memberships.userId, role: memberships.role }).from(memberships).where(eq(memberships.teamId, teamId))).map((m) => [m.userId, m.role]),
  );
const teamEvents = async (teamId: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "member.role_changed"))).orderBy(asc(auditEvents.createdAt));
const removals = async (teamId: string) => db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "member.removed")));

/** Runs `act` and checks that it changed neither the team's memberships nor its audit log. */
async function expectNothingChanged(teamId: string, act: () => Promise<unknown>) {
  const before = { roles: await roles(teamId), roleEvents: (await teamEvents(teamId)).length, removals: (await removals(teamId)).length };
  const result = await act();
  expect({ roles: await roles(teamId), roleEvents: (await teamEvents(teamId)).length, removals: (await removals(teamId)).length }).toEqual(before);
  return result;
}

describe("changeRole", () => {
  it("an owner changes a member's role; audited with from/to, the team, the member and the owner", async () => {
    const { teamId, owner, member } = await team();
    expect(await changeRole(teamId, { id: owner.userId }, member.userId, "admin", meta)).toEqual({ ok: true, changed: true });
    expect((await roles(teamId))[member.userId]).toBe("admin");
    const [event] = await teamEvents(teamId);
    expect(event).toMatchObject({ userId: member.userId, actorId: owner.userId, teamId, data: { from: "member", to: "admin" }, ip: meta.ip });
  });

  it("the same role again changes nothing and writes no event", async () => {
    const { teamId, owner, admin } = await team();
    await expectNothingChanged(teamId, async () => expect(await changeRole(teamId, { id: owner.userId }, admin.userId, "admin", meta)).toEqual({ ok: true, changed: false }));
  });

  it("an owner may make another owner and then step down", async () => {
    const { teamId, owner, admin } = await team();
    expect(await changeRole(teamId, { id: owner.userId }, admin.userId, "owner", meta)).toMatchObject({ ok: true });
    expect(await changeRole(teamId, { id: owner.userId }, owner.userId, "member", meta)).toMatchObject({ ok: true });
    expect(await roles(teamId)).toMatchObject({ [admin.userId]: "owner", [owner.userId]: "member" });
  });

  it("refuses to demote the last owner, even by themselves", async () => {
    const { teamId, owner } = await team();
    for (const role of ["admin", "member"]) {
      const result = await expectNothingChanged(teamId, () => changeRole(teamId, { id: owner.userId }, owner.userId, role, meta));
      expect(result).toEqual({ ok: false, code: "LAST_OWNER", message: MEMBERSHIP_ERRORS.messages.LAST_OWNER });
    }
  });

  it("refuses an unknown role", async () => {
    const { teamId, owner, member } = await team();
    for (const role of ["superuser", "", null, 3]) {
      expect(await expectNothingChanged(teamId, () => changeRole(teamId, { id: owner.userId }, member.userId, role, meta))).toMatchObject({ ok: false, code: "INVALID_ROLE" });
    }
  });

  it("refuses admins and members (owners only): nothing changes", async () => {
    const { teamId, admin, member, owner } = await team();
    for (const [actor, target, role] of [
      [admin, member, "admin"],
      [admin, admin, "owner"],
      [admin, owner, "member"],
      [member, member, "owner"],
    ] as const) {
      const result = await expectNothingChanged(teamId, () => changeRole(teamId, { id: actor.userId }, target.userId, role, meta));
      expect(result).toEqual({ ok: false, code: "FORBIDDEN", message: MEMBERSHIP_ERRORS.messages.FORBIDDEN });
    }
  });

  it("an owner of another team is refused; a person outside the team is not found", async () => {
    const a = await team();
    const b = await team();
    expect(await expectNothingChanged(b.teamId, () => changeRole(b.teamId, { id: a.owner.userId }, b.member.userId, "admin", meta))).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });
    expect(await expectNothingChanged(a.teamId, () => changeRole(a.teamId, { id: a.owner.userId }, b.member.userId, "admin", meta))).toMatchObject({
      ok: false,
      code: "NOT_FOUND",
    });
    expect(await changeRole("00000000-0000-4000-8000-000000000000", { id: a.owner.userId }, a.member.userId, "admin", meta)).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("removeMember", () => {
  it("removes only the membership: the person's account, factors, sessions and other teams stay; audited", async () => {
    const { teamId, owner } = await team();
    const person = await createSignedInUser();
    await addTotpFactor(person.userId);
    await joinTeam(teamId, person.userId, "admin");

    expect(await removeMember(teamId, { id: owner.userId }, person.userId, meta)).toEqual({ ok: true, changed: true });

    expect((await roles(teamId))[person.userId]).toBeUndefined();
    expect(await roles(person.teamId)).toEqual({ [person.userId]: "owner" });
    expect(await findSessionUser(person.sessionId)).toMatchObject({ id: person.userId });
    expect(await listFactors(person.userId)).toHaveLength(1);
    const [event] = await removals(teamId);
    expect(event).toMatchObject({ userId: person.userId, actorId: owner.userId, teamId, data: { role: "admin" } });
  });

  it("an owner may leave while another owner remains; the last owner may not", async () => {
    const { teamId, owner, admin, member } = await team();
    const result = await expectNothingChanged(teamId, () => removeMember(teamId, { id: owner.userId }, owner.userId, meta));
    expect(result).toEqual({ ok: false, code: "LAST_OWNER", message: MEMBERSHIP_ERRORS.messages.LAST_OWNER });

    await changeRole(teamId, { id: owner.userId }, admin.userId, "owner", meta);
    expect(await removeMember(teamId, { id: owner.userId }, owner.userId, meta)).toMatchObject({ ok: true });
    expect(await roles(teamId)).toEqual({ [admin.userId]: "owner", [member.userId]: "member" });
  });

  it("refuses admins, members and outsiders: nothing changes", async () => {
    const { teamId, owner, admin, member } = await team();
    const outsider = await team();
    for (const [actor, target] of [
      [admin, member],
      [admin, owner],
      [member, admin],
      [outsider.owner, member],
    ] as const) {
      const result = await expectNothingChanged(teamId, () => removeMember(teamId, { id: actor.userId }, target.userId, meta));
      expect(result).toEqual({ ok: false, code: "FORBIDDEN", message: MEMBERSHIP_ERRORS.messages.FORBIDDEN });
    }
    expect(await removeMember(teamId, { id: owner.userId }, outsider.member.userId, meta)).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });
});

describe("a team always keeps an owner, also under concurrent changes", () => {
  async function twoOwners() {
    const { teamId, owner, admin } = await team();
    await changeRole(teamId, { id: owner.userId }, admin.userId, "owner", meta);
    return { teamId, a: owner.userId, b: admin.userId };
  }
  const owners = async (teamId: string) => Object.values(await roles(teamId)).filter((r) => r === "owner").length;

  it("two owners demoting each other at once: one stays owner", async () => {
    for (let round = 0; round < 3; round += 1) {
      const { teamId, a, b } = await twoOwners();
      const results = await Promise.all([changeRole(teamId, { id: a }, b, "member", meta), changeRole(teamId, { id: b }, a, "member", meta)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await owners(teamId)).toBe(1);
    }
  });

  it("two owners stepping down at once: one stays owner", async () => {
    for (let round = 0; round < 3; round += 1) {
      const { teamId, a, b } = await twoOwners();
      const results = await Promise.all([changeRole(teamId, { id: a }, a, "admin", meta), changeRole(teamId, { id: b }, b, "admin", meta)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ code: "LAST_OWNER" });
      expect(await owners(teamId)).toBe(1);
    }
  });

  it("two owners removing each other (or leaving) at once: one stays owner", async () => {
    for (let round = 0; round < 3; round += 1) {
      const { teamId, a, b } = await twoOwners();
      const results = await Promise.all([removeMember(teamId, { id: a }, b, meta), removeMember(teamId, { id: b }, b, meta), removeMember(teamId, { id: b }, a, meta)]);
      expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(1);
      expect(await owners(teamId)).toBe(1);
    }
  });
});
