import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, teams, trustedDevices, type FactorKind } from "@/lib/db/schema";
import { addFactorRow, ALL_KINDS, createUser, joinTeam, meta, OPEN_POLICY } from "@/tests/helpers";
import { effectivePolicy, getTeamPolicy, membersWithoutPhone, membersWithoutSecondFactor, updateTeamPolicy, type PolicyInput } from "./policy";

/** A team owned by a new user, with its policy set by that owner. */
async function teamWith(policy: Partial<PolicyInput> = {}) {
  const owner = await createUser();
  const result = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, ...policy }, meta);
  if (!result.ok) throw new Error(result.message);
  return { owner, teamId: owner.teamId };
}

/** Moves the moment the requirement was switched on `days` into the past. */
async function startedDaysAgo(teamId: string, days: number) {
  await db()
    .update(teams)
    .set({ requireStartedAt: sql`now() - (${days} * interval '1 day')` })
    .where(eq(teams.id, teamId));
}

const teamRow = async (teamId: string) => (await db().select().from(teams).where(eq(teams.id, teamId)))[0]!;
const policyEvents = async (teamId: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "policy.changed")));

describe("effectivePolicy across teams", () => {
  it("is not required, allows everything and remembers 30 days for a user of a new team", async () => {
    const user = await createUser();
    const policy = await effectivePolicy(user.userId);
    expect(policy).toMatchObject({ required: false, allowedMethods: ALL_KINDS, smsBackupOnly: false, rememberDays: 30, graceEndsAt: null, status: "ok" });
  });

  it("requires 2FA when any team does; allowed methods are the intersection of the requiring teams only", async () => {
    const a = await teamWith({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn", "email"], defaultMethod: "totp" });
    const b = await teamWith({ requireTwoFactor: true, allowedMethods: ["totp", "sms", "email"], defaultMethod: "totp" });
    const relaxed = await teamWith({ requireTwoFactor: false, allowedMethods: ["sms"], defaultMethod: "sms" });
    const user = await createUser();
    for (const team of [a, b, relaxed]) await joinTeam(team.teamId, user.userId);

    const policy = await effectivePolicy(user.userId);
    expect(policy.required).toBe(true);
    expect(policy.requiredBy.map((t) => t.id).sort()).toEqual([a.teamId, b.teamId].sort());
    expect(policy.allowedMethods.sort()).toEqual(["email", "totp"]);
    expect(policy.status).toBe("blocked");

    await addFactorRow(user.userId, "email");
    expect((await effectivePolicy(user.userId)).status).toBe("ok");
  });

  it("takes the shortest remember period among all the user's teams, requiring or not", async () => {
    const a = await teamWith({ rememberDeviceDays: 14 });
    const b = await teamWith({ rememberDeviceDays: 1 });
    const user = await createUser(); // personal team: 30 days
    await joinTeam(a.teamId, user.userId);
    expect((await effectivePolicy(user.userId)).rememberDays).toBe(14);
    await joinTeam(b.teamId, user.userId, "admin");
    expect((await effectivePolicy(user.userId)).rememberDays).toBe(1);
    const never = await teamWith({ rememberDeviceDays: 0 });
    await joinTeam(never.teamId, user.userId);
    expect((await effectivePolicy(user.userId)).rememberDays).toBe(0);
  });

  it("grace: inside the period the user is let in until the earliest end; afterwards blocked", async () => {
    const seven = await teamWith({ requireTwoFactor: true, graceDays: 7 });
    const fourteen = await teamWith({ requireTwoFactor: true, graceDays: 14 });
    const user = await createUser();
    await joinTeam(seven.teamId, user.userId);
    await joinTeam(fourteen.teamId, user.userId);
    await startedDaysAgo(seven.teamId, 2);
    await startedDaysAgo(fourteen.teamId, 1);

    const inGrace = await effectivePolicy(user.userId);
    expect(inGrace.status).toBe("grace");
    const expected = (await teamRow(seven.teamId)).requireStartedAt!.getTime() + 7 * 86_400_000;
    expect(inGrace.graceEndsAt?.getTime()).toBe(expected);

    await startedDaysAgo(seven.teamId, 8); // 7-day grace over; the 14-day one is not, but the earliest end counts
    const over = await effectivePolicy(user.userId);
    expect(over).toMatchObject({ status: "blocked", graceEndsAt: null });

    await addFactorRow(user.userId, "totp");
    expect((await effectivePolicy(user.userId)).status).toBe("ok");
  });

  it("a team requiring 2FA without grace leaves no grace, whatever the other teams give", async () => {
    const graceful = await teamWith({ requireTwoFactor: true, graceDays: 14 });
    const strict = await teamWith({ requireTwoFactor: true, graceDays: 0 });
    const user = await createUser();
    await joinTeam(graceful.teamId, user.userId);
    expect((await effectivePolicy(user.userId)).status).toBe("grace");
    await joinTeam(strict.teamId, user.userId);
    expect(await effectivePolicy(user.userId)).toMatchObject({ status: "blocked", graceEndsAt: null });
  });

  it("a user whose only factor kind becomes disallowed must enroll again (grace, then blocked)", async () => {
    const { owner, teamId } = await teamWith({ requireTwoFactor: true, graceDays: 3 });
    const user = await createUser();
    await joinTeam(teamId, user.userId);
    await addFactorRow(user.userId, "email");
    expect((await effectivePolicy(user.userId)).status).toBe("ok");

    const changed = await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, requireTwoFactor: true, graceDays: 3, allowedMethods: ["totp", "webauthn"], defaultMethod: "totp" }, meta);
    expect(changed.ok).toBe(true);
    expect((await effectivePolicy(user.userId)).status).toBe("grace");
    await startedDaysAgo(teamId, 4);
    expect((await effectivePolicy(user.userId)).status).toBe("blocked");
  });

  it("with SMS as backup only, an SMS factor alone does not satisfy the requirement", async () => {
    const { teamId } = await teamWith({ requireTwoFactor: true, smsBackupOnly: true, defaultMethod: "totp" });
    const user = await createUser();
    await joinTeam(teamId, user.userId);
    await addFactorRow(user.userId, "sms", "+14155552671");
    expect(await effectivePolicy(user.userId)).toMatchObject({ smsBackupOnly: true, hasAllowedFactor: false, status: "blocked" });
    await addFactorRow(user.userId, "webauthn");
    expect((await effectivePolicy(user.userId)).status).toBe("ok");
  });

  it("sets require_started_at when switched on, keeps it while on, clears it when off", async () => {
    const { owner, teamId } = await teamWith();
    expect((await getTeamPolicy(teamId))!.requireStartedAt).toBeNull();
    await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, requireTwoFactor: true, graceDays: 7 }, meta);
    const started = (await getTeamPolicy(teamId))!.requireStartedAt;
    expect(started).toBeInstanceOf(Date);
    await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, requireTwoFactor: true, graceDays: 14 }, meta);
    expect((await getTeamPolicy(teamId))!.requireStartedAt).toEqual(started);
    await updateTeamPolicy(teamId, { id: owner.userId }, OPEN_POLICY, meta);
    expect((await getTeamPolicy(teamId))!.requireStartedAt).toBeNull();
  });
});

describe("updateTeamPolicy refuses bad input and changes nothing", () => {
  const cases: [string, Partial<PolicyInput>, string, string][] = [
    ["no allowed method", { allowedMethods: [] }, "allowedMethods", "Choose at least one allowed method."],
    ["a default that is not allowed", { allowedMethods: ["totp", "webauthn"], defaultMethod: "email" }, "defaultMethod", "The default method must be one of the allowed methods."],
    ["SMS as default while backup only", { smsBackupOnly: true, defaultMethod: "sms" }, "defaultMethod", "SMS is allowed as a backup only, so it cannot be the default method."],
    ["a grace period of 5 days", { graceDays: 5 }, "graceDays", "Choose a grace period of 0, 3, 7 or 14 days."],
    ["a remember period of 90 days", { rememberDeviceDays: 90 }, "rememberDeviceDays", "Choose to remember devices for never, 1, 7, 14, 30 or 60 days."],
    ["an unknown method", { allowedMethods: ["totp", "carrier-pigeon" as FactorKind] }, "allowedMethods", "Choose methods from the list."],
  ];

  it.each(cases)("%s", async (_name, change, field, message) => {
    const { owner, teamId } = await teamWith();
    const before = await teamRow(teamId);
    const eventsBefore = (await policyEvents(teamId)).length;

    const result = await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, requireTwoFactor: true, rememberDeviceDays: 1, ...change }, meta);

    expect(result).toMatchObject({ ok: false, code: "INVALID", message });
    if (!result.ok && result.code === "INVALID") expect(result.fieldErrors[field]).toContain(message);
    expect(await teamRow(teamId)).toEqual(before);
    expect(await policyEvents(teamId)).toHaveLength(eventsBefore);
  });

  it("no allowed method is reported once, on the methods, not again as a wrong default", async () => {
    const { owner, teamId } = await teamWith();
    const result = await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, allowedMethods: [] }, meta);
    expect(result).toMatchObject({ ok: false, code: "INVALID", message: "Choose at least one allowed method." });
    if (!result.ok && result.code === "INVALID") expect(result.fieldErrors.defaultMethod).toBeUndefined();
  });

  it("refuses a non-object input", async () => {
    const { owner, teamId } = await teamWith();
    expect(await updateTeamPolicy(teamId, { id: owner.userId }, null, meta)).toMatchObject({ ok: false, code: "INVALID" });
  });
});

describe("updateTeamPolicy role checks", () => {
  it("an admin of team A cannot change team B", async () => {
    const a = await teamWith();
    const b = await teamWith();
    const admin = await createUser();
    await joinTeam(a.teamId, admin.userId, "admin");
    const before = await teamRow(b.teamId);

    const result = await updateTeamPolicy(b.teamId, { id: admin.userId }, { ...OPEN_POLICY, requireTwoFactor: true }, meta);

    expect(result).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await teamRow(b.teamId)).toEqual(before);
    expect(await policyEvents(b.teamId)).toHaveLength(1); // the owner's set-up only
  });

  it("a member cannot change their team's policy; an admin can", async () => {
    const { teamId } = await teamWith();
    const member = await createUser();
    const admin = await createUser();
    await joinTeam(teamId, member.userId, "member");
    await joinTeam(teamId, admin.userId, "admin");
    const before = await teamRow(teamId);

    expect(await updateTeamPolicy(teamId, { id: member.userId }, { ...OPEN_POLICY, requireTwoFactor: true }, meta)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await teamRow(teamId)).toEqual(before);

    const byAdmin = await updateTeamPolicy(teamId, { id: admin.userId }, { ...OPEN_POLICY, requireTwoFactor: true }, meta);
    expect(byAdmin.ok).toBe(true);
    const [event] = (await policyEvents(teamId)).filter((e) => e.actorId === admin.userId);
    expect(event?.data).toMatchObject({ changed: { requireTwoFactor: { from: false, to: true } } });
    expect(event?.ip).toBe(meta.ip);
  });

  it("a member's bad input is refused as forbidden, not validated", async () => {
    const { teamId } = await teamWith();
    const member = await createUser();
    await joinTeam(teamId, member.userId);
    expect(await updateTeamPolicy(teamId, { id: member.userId }, { allowedMethods: [] }, meta)).toMatchObject({ code: "FORBIDDEN" });
  });

  it("an unknown team is forbidden", async () => {
    const user = await createUser();
    expect(await updateTeamPolicy("00000000-0000-4000-8000-000000000000", { id: user.userId }, OPEN_POLICY, meta)).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("lowering the remember period", () => {
  async function device(userId: string, ageDays: number, lifeDays: number) {
    const [row] = await db()
      .insert(trustedDevices)
      .values({
        userId,
        tokenHash: `hash-${Math.random()}`,
        createdAt: sql`now() - (${ageDays} * interval '1 day')`,
        expiresAt: sql`now() - (${ageDays} * interval '1 day') + (${lifeDays} * interval '1 day')`,
      })
      .returning();
    return row!;
  }
  const deviceRow = async (id: string) => (await db().select().from(trustedDevices).where(eq(trustedDevices.id, id)))[0]!;
  const DAY = 86_400_000;

  it("shortens the members' existing remembered devices to the new period, and leaves other users' alone", async () => {
    const { owner, teamId } = await teamWith({ rememberDeviceDays: 30 });
    const member = await createUser();
    const outsider = await createUser();
    await joinTeam(teamId, member.userId);
    const recent = await device(member.userId, 2, 30); // remembered 2 days ago → now ends 7 days after that
    const old = await device(member.userId, 10, 30); // remembered 10 days ago → already past 7 days: ends at created + 7 (in the past)
    const shortAlready = await device(owner.userId, 1, 3); // ends before the new period would: untouched
    const others = await device(outsider.userId, 2, 30);

    const result = await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, rememberDeviceDays: 7 }, meta);
    expect(result.ok).toBe(true);

    const r = await deviceRow(recent.id);
    expect(r.expiresAt.getTime()).toBe(r.createdAt.getTime() + 7 * DAY);
    const o = await deviceRow(old.id);
    expect(o.expiresAt.getTime()).toBe(o.createdAt.getTime() + 7 * DAY);
    expect(o.expiresAt.getTime()).toBeLessThan(Date.now());
    expect((await deviceRow(shortAlready.id)).expiresAt).toEqual(shortAlready.expiresAt);
    expect((await deviceRow(others.id)).expiresAt).toEqual(others.expiresAt);
    const [event] = (await policyEvents(teamId)).slice(-1);
    expect(event?.data).toMatchObject({ trustedDevicesShortened: 2 });
  });

  it("'never' revokes them; raising the period does not lengthen them", async () => {
    const { owner, teamId } = await teamWith({ rememberDeviceDays: 14 });
    const member = await createUser();
    await joinTeam(teamId, member.userId);
    const d = await device(member.userId, 1, 14);

    await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, rememberDeviceDays: 60 }, meta);
    expect((await deviceRow(d.id)).expiresAt).toEqual(d.expiresAt);

    await updateTeamPolicy(teamId, { id: owner.userId }, { ...OPEN_POLICY, rememberDeviceDays: 0 }, meta);
    expect((await deviceRow(d.id)).revokedAt).toBeInstanceOf(Date);
  });
});

describe("members who would be affected", () => {
  it("lists members without an accepted factor, and members without a phone", async () => {
    const { owner, teamId } = await teamWith();
    const withApp = await createUser({ name: "Ada" });
    const withSms = await createUser({ name: "Grace" });
    const withNothing = await createUser({ name: "Linus" });
    for (const u of [withApp, withSms, withNothing]) await joinTeam(teamId, u.userId);
    await addFactorRow(withApp.userId, "totp");
    await addFactorRow(withSms.userId, "sms", "+14155552671");

    const none = await membersWithoutSecondFactor(teamId);
    expect(none.total).toBe(2); // the owner and Linus
    expect(none.members.map((m) => m.userId).sort()).toEqual([owner.userId, withNothing.userId].sort());
    expect(none.members[0]).toHaveProperty("email");

    const backupOnly = await membersWithoutSecondFactor(teamId, { policy: { allowedMethods: ALL_KINDS, smsBackupOnly: true } });
    expect(backupOnly.members.map((m) => m.name)).toContain("Grace");
    expect(backupOnly.total).toBe(3);

    const appOnly = await membersWithoutSecondFactor(teamId, { policy: { allowedMethods: ["totp"], smsBackupOnly: false }, limit: 1 });
    expect(appOnly).toMatchObject({ total: 3 });
    expect(appOnly.members).toHaveLength(1);

    const noPhone = await membersWithoutPhone(teamId);
    expect(noPhone.total).toBe(3);
    expect(noPhone.members.map((m) => m.userId)).not.toContain(withSms.userId);
  });
});
