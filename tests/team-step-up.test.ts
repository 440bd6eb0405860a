import { and, eq, isNull, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { apiKeys, invitations, memberships, sessions, teams } from "@/lib/db/schema";
import { findSessionUser } from "@/lib/auth/sessions";
import { STEP_UP_SECONDS } from "@/lib/auth/step-up";
import { createApiKey } from "@/lib/verify-api/keys";
import { getTeamPolicy } from "@/lib/teams/policy";
import { getSmsSettings } from "@/lib/teams/sms-settings";
import { addTotpFactor, createSignedInUser, joinTeam, meta, uniqueEmail } from "./helpers";

// The real server actions, with a real session: only Next's request context is faked (the
// session cookie becomes "the session id this test signed in with").
const request = vi.hoisted(() => ({ sessionId: null as string | null }));
vi.mock("@/lib/auth/current-user", () => ({
  currentUser: async () => (request.sessionId ? findSessionUser(request.sessionId) : null),
  requestPath: async () => "/team",
}));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "user-agent": meta.userAgent, "x-forwarded-for": meta.ip }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
}));

const { savePolicyAction } = await import("@/app/(dashboard)/team/security/actions");
const { changeRoleAction, removeMemberAction, resetTwoFactorAction } = await import("@/app/(dashboard)/team/members/actions");
const { addCreditsAction } = await import("@/app/(dashboard)/team/credits/actions");
const { createApiKeyAction, revokeApiKeyAction } = await import("@/app/(dashboard)/team/developers/actions");
const { inviteAction } = await import("@/app/(dashboard)/team/invitations/actions");
const { saveSmsSettingsAction, resumeSmsAction } = await import("@/app/(dashboard)/team/sms/actions");

function form(entries: Record<string, string | string[]>) {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) for (const v of [value].flat()) data.append(key, v);
  return data;
}

/** Sets when this session last passed a second factor, `secondsAgo` in the past. */
async function stepUpAgo(sessionId: string, secondsAgo: number) {
  await db()
    .update(sessions)
    .set({ stepUpAt: sql`now() - (${secondsAgo} * interval '1 second')` })
    .where(eq(sessions.id, sessionId));
}

/** An owner with an authenticator app, signed in; their team has a member. */
async function ownerWithTeam() {
  const owner = await createSignedInUser();
  await addTotpFactor(owner.userId);
  const member = await createSignedInUser();
  await joinTeam(owner.teamId, member.userId, "member");
  request.sessionId = owner.sessionId;
  return { owner, member, teamId: owner.teamId };
}

const role = async (teamId: string, userId: string) =>
  (await db().select({ role: memberships.role }).from(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId))))[0]?.role ?? null;
const balance = async (teamId: string) => (await db().select({ b: teams.creditBalance }).from(teams).where(eq(teams.id, teamId)))[0]!.b;
const liveKeys = async (teamId: string) => db().select().from(apiKeys).where(and(eq(apiKeys.teamId, teamId), isNull(apiKeys.revokedAt)));
const pendingInvitations = async (teamId: string) => db().select().from(invitations).where(eq(invitations.teamId, teamId));

const STALE = { stepUp: true, error: expect.stringContaining("confirm it's you") };

beforeEach(() => {
  request.sessionId = null;
});

describe("team-wide changes need a fresh second factor (step-up)", () => {
  it("the 2FA policy: stale → refused with the step-up prompt and unchanged; fresh → saved", async () => {
    const { owner, teamId } = await ownerWithTeam();
    const loosen = { teamId, graceDays: "0", allowedMethods: ["totp", "email", "sms"], defaultMethod: "email", rememberDeviceDays: "60" };
    const before = await getTeamPolicy(teamId);

    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 60);
    expect(await savePolicyAction({}, form(loosen))).toMatchObject(STALE);
    expect(await getTeamPolicy(teamId)).toEqual(before);
    // Tightening is a change too: "require 2FA now, SMS only" would lock every member out.
    expect(await savePolicyAction({}, form({ ...loosen, requireTwoFactor: "on", allowedMethods: "sms" }))).toMatchObject(STALE);
    expect(await getTeamPolicy(teamId)).toEqual(before);

    await stepUpAgo(owner.sessionId, 30);
    expect(await savePolicyAction({}, form(loosen))).toMatchObject({ ok: true });
    expect(await getTeamPolicy(teamId)).toMatchObject({ allowedMethods: ["totp", "email", "sms"], rememberDeviceDays: 60 });
  });

  it("roles: stale → refused, unchanged; fresh → changed", async () => {
    const { owner, member, teamId } = await ownerWithTeam();
    const promote = form({ teamId, userId: member.userId, role: "admin" });
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await changeRoleAction({}, promote)).toMatchObject(STALE);
    expect(await role(teamId, member.userId)).toBe("member");
    await stepUpAgo(owner.sessionId, 0);
    expect(await changeRoleAction({}, promote)).toMatchObject({ ok: true });
    expect(await role(teamId, member.userId)).toBe("admin");
  });

  it("removing a member: stale → refused, still a member; fresh → removed; leaving yourself needs none", async () => {
    const { owner, member, teamId } = await ownerWithTeam();
    const remove = form({ teamId, userId: member.userId });
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await removeMemberAction({}, remove)).toMatchObject(STALE);
    expect(await role(teamId, member.userId)).toBe("member");
    await stepUpAgo(owner.sessionId, 0);
    expect(await removeMemberAction({}, remove)).toMatchObject({ ok: true });
    expect(await role(teamId, member.userId)).toBeNull();

    // A member of someone else's team leaves it on a stale session (and has no factor at all).
    const other = await ownerWithTeam();
    await joinTeam(other.teamId, owner.userId, "owner");
    request.sessionId = owner.sessionId;
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    await expect(removeMemberAction({}, form({ teamId: other.teamId, userId: owner.userId }))).rejects.toThrow("redirect /dashboard");
    expect(await role(other.teamId, owner.userId)).toBeNull();
  });

  it("adding credits: stale → refused, balance unchanged; fresh → added", async () => {
    const { owner, teamId } = await ownerWithTeam();
    const start = await balance(teamId);
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await addCreditsAction({}, form({ teamId, amount: "500" }))).toMatchObject(STALE);
    expect(await balance(teamId)).toBe(start);
    await stepUpAgo(owner.sessionId, 0);
    expect(await addCreditsAction({}, form({ teamId, amount: "500" }))).toMatchObject({ ok: true, data: { amount: 500, balance: start + 500 } });
  });

  it("revoking an API key: stale → refused, the key still works; fresh → revoked", async () => {
    const { owner, teamId } = await ownerWithTeam();
    const created = await createApiKey(teamId, { id: owner.userId }, "Production", meta);
    if (!created.ok) throw new Error(created.message);
    const revoke = form({ teamId, keyId: created.apiKey.id });
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await revokeApiKeyAction({}, revoke)).toMatchObject(STALE);
    expect(await liveKeys(teamId)).toHaveLength(1);
    await stepUpAgo(owner.sessionId, 0);
    expect(await revokeApiKeyAction({}, revoke)).toMatchObject({ ok: true });
    expect(await liveKeys(teamId)).toHaveLength(0);
  });

  it("creating an API key and resetting a member: stale → refused, nothing created or reset", async () => {
    const { owner, member, teamId } = await ownerWithTeam();
    await addTotpFactor(member.userId);
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await createApiKeyAction({}, form({ teamId, name: "Staging" }))).toMatchObject(STALE);
    expect(await liveKeys(teamId)).toHaveLength(0);
    expect(await resetTwoFactorAction({}, form({ teamId, userId: member.userId }))).toMatchObject(STALE);
  });

  it("inviting an admin or owner: stale → refused, no invitation; a member needs none; fresh → invited", async () => {
    const { owner, teamId } = await ownerWithTeam();
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    for (const asRole of ["admin", "owner"]) {
      expect(await inviteAction({}, form({ teamId, email: uniqueEmail("boss"), role: asRole }))).toMatchObject(STALE);
    }
    expect(await pendingInvitations(teamId)).toHaveLength(0);
    expect(await inviteAction({}, form({ teamId, email: uniqueEmail("member"), role: "member" }))).toMatchObject({ ok: true });
    await stepUpAgo(owner.sessionId, 0);
    expect(await inviteAction({}, form({ teamId, email: uniqueEmail("admin"), role: "admin" }))).toMatchObject({ ok: true });
    expect((await pendingInvitations(teamId)).map((i) => i.role).sort()).toEqual(["admin", "member"]);
  });

  it("an owner with no second factor of their own is told to set one up, and nothing changes", async () => {
    const owner = await createSignedInUser();
    const member = await createSignedInUser();
    await joinTeam(owner.teamId, member.userId);
    request.sessionId = owner.sessionId;
    const teamId = owner.teamId;
    const before = await getTeamPolicy(teamId);
    const start = await balance(teamId);
    const setUp = { setUpFactor: true, error: expect.stringContaining("two-factor authentication on your own account") };

    expect(await savePolicyAction({}, form({ teamId, requireTwoFactor: "on", graceDays: "7", allowedMethods: "totp", defaultMethod: "totp", rememberDeviceDays: "7" }))).toMatchObject(setUp);
    expect(await changeRoleAction({}, form({ teamId, userId: member.userId, role: "owner" }))).toMatchObject(setUp);
    expect(await removeMemberAction({}, form({ teamId, userId: member.userId }))).toMatchObject(setUp);
    expect(await addCreditsAction({}, form({ teamId, amount: "5" }))).toMatchObject(setUp);
    expect(await createApiKeyAction({}, form({ teamId, name: "Prod" }))).toMatchObject(setUp);
    expect(await inviteAction({}, form({ teamId, email: uniqueEmail(), role: "admin" }))).toMatchObject(setUp);

    expect(await getTeamPolicy(teamId)).toEqual(before);
    expect(await role(teamId, member.userId)).toBe("member");
    expect(await balance(teamId)).toBe(start);
    expect(await liveKeys(teamId)).toHaveLength(0);
    expect(await pendingInvitations(teamId)).toHaveLength(0);
  });
});

describe("SMS and voice settings (Team → SMS & voice) need a fresh second factor", () => {
  it("widening the countries or allowing VoIP: stale → refused, unchanged; fresh → saved; an admin, fresh, is refused", async () => {
    const { owner, member, teamId } = await ownerWithTeam();
    const before = (await getSmsSettings(teamId))!;
    const wider = form({ teamId, countries: [...before.countries, "IN", "NG"].join(","), voipMembers: "on", voipApi: "on", version: before.version });
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await saveSmsSettingsAction({}, wider)).toMatchObject(STALE);
    expect(await getSmsSettings(teamId)).toEqual(before);

    await stepUpAgo(owner.sessionId, 0);
    expect(await saveSmsSettingsAction({}, wider)).toMatchObject({ ok: true, data: { changed: true, settings: { voipMembers: true, voipApi: true } } });
    expect((await getSmsSettings(teamId))!.countries).toEqual(expect.arrayContaining(["IN", "NG"]));

    // An admin with a fresh factor of their own is still not an owner.
    await db().update(memberships).set({ role: "admin" }).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, member.userId)));
    await addTotpFactor(member.userId);
    request.sessionId = member.sessionId;
    await stepUpAgo(member.sessionId, 0);
    const after = (await getSmsSettings(teamId))!;
    expect(await saveSmsSettingsAction({}, form({ teamId, countries: "", version: after.version }))).toMatchObject({ error: expect.stringContaining("Only an owner") });
    expect(await getSmsSettings(teamId)).toEqual(after);
  });

  it("a bad code is a message on the countries, nothing saved; an empty list saves", async () => {
    const { owner, teamId } = await ownerWithTeam();
    await stepUpAgo(owner.sessionId, 0);
    const before = (await getSmsSettings(teamId))!;
    const bad = await saveSmsSettingsAction({}, form({ teamId, countries: "US,XX", version: before.version }));
    expect(bad.fieldErrors?.countries?.[0]).toMatch(/“XX” is not a country code we know/);
    expect(await getSmsSettings(teamId)).toEqual(before);
    expect(await saveSmsSettingsAction({}, form({ teamId, countries: "", version: before.version }))).toMatchObject({ ok: true, data: { settings: { countries: [] } } });
  });

  it("resuming a paused team: stale → refused, still paused; fresh → resumed", async () => {
    const { owner, teamId } = await ownerWithTeam();
    await db().update(teams).set({ smsPausedAt: sql`now()`, smsPauseReason: "A burst to one prefix" }).where(eq(teams.id, teamId));
    await stepUpAgo(owner.sessionId, STEP_UP_SECONDS + 1);
    expect(await resumeSmsAction({}, form({ teamId }))).toMatchObject(STALE);
    expect((await getSmsSettings(teamId))!.pausedAt).not.toBeNull();
    await stepUpAgo(owner.sessionId, 0);
    expect(await resumeSmsAction({}, form({ teamId }))).toMatchObject({ ok: true });
    expect((await getSmsSettings(teamId))!.pausedAt).toBeNull();
  });
});
