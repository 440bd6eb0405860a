import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createChallenge, exchangeChallenge } from "@/lib/auth/challenge";
import { createSession, findSessionUser } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { auditEvents, factors, memberships, recoveryCodes, sessions, teams, trustedDevices, twoFactorResets, users } from "@/lib/db/schema";
import { isTrustedDevice, trustDevice } from "@/lib/factors/trusted-devices";
import { hashToken } from "@/lib/security/tokens";
import { addEmailFactor, addSmsFactor, addTotpFactor, joinTeam, meta, outboxTo, uniqueEmail } from "@/tests/helpers";
import { listTeamMembers } from "./members";
import { effectivePolicy } from "./policy";
import { RESET_MESSAGES, resetMemberTwoFactor, withdrawMemberReset } from "./reset-member";
import { resetState } from "./reset-requests";

/** A user who owns a personal team, written straight to the tables (no password hashing needed here). */
async function createUser(name: string) {
  const email = uniqueEmail();
  const [user] = await db().insert(users).values({ name, email, passwordHash: "scrypt$unused" }).returning({ id: users.id });
  const [team] = await db().insert(teams).values({ name: `${name}'s team` }).returning({ id: teams.id });
  await joinTeam(team!.id, user!.id, "owner");
  return { userId: user!.id, teamId: team!.id, name, email };
}

/** A person with 2FA on: app, email and SMS factors, recovery codes, a remembered device, two sessions and a sign-in waiting to be exchanged. */
async function withEverything(name: string) {
  const user = await createUser(name);
  await addTotpFactor(user.userId);
  await addEmailFactor(user.userId);
  await addSmsFactor(user.userId);
  const device = await trustDevice(db(), user.userId, meta);
  const sessionIds = [await createSession(db(), { userId: user.userId, ...meta }), await createSession(db(), { userId: user.userId, ...meta })];
  const challenge = await createChallenge(db(), { userId: user.userId, completedWith: "trusted_device", ...meta });
  return { ...user, deviceToken: device.token, sessionIds, challengeToken: challenge.token };
}

/** Acme: an owner and an admin (each with an app factor), a member with everything, another owner. */
async function acme(policy: Partial<typeof teams.$inferInsert> = {}) {
  const owner = await createUser("Olive Owner");
  await db().update(teams).set({ name: "Acme", ...policy }).where(eq(teams.id, owner.teamId));
  await addTotpFactor(owner.userId);
  const admin = await createUser("Adam Admin");
  await addTotpFactor(admin.userId);
  const member = await withEverything("Mia Member");
  const coOwner = await withEverything("Cora Owner");
  await joinTeam(owner.teamId, admin.userId, "admin");
  await joinTeam(owner.teamId, member.userId, "member");
  await joinTeam(owner.teamId, coOwner.userId, "owner");
  await ageMemberships();
  return { teamId: owner.teamId, owner, admin, member, coOwner };
}

/** Every membership so far is two days old: past the 24 hours before a member may be reset. */
const ageMemberships = () => db().update(memberships).set({ createdAt: sql`now() - interval '2 days'` });

const liveSessions = async (userId: string) =>
  (await db().select({ id: sessions.id }).from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))).length;
const liveDevices = async (userId: string) =>
  (await db().select({ id: trustedDevices.id }).from(trustedDevices).where(and(eq(trustedDevices.userId, userId), isNull(trustedDevices.revokedAt)))).length;
const resets = async (userId: string) => db().select().from(auditEvents).where(and(eq(auditEvents.userId, userId), eq(auditEvents.type, "member.two_factor_reset")));

/** Everything a used reset would take away, and what a request writes. */
async function state(person: { userId: string; email: string }) {
  return {
    factors: (await db().select().from(factors).where(eq(factors.userId, person.userId))).length,
    codes: (await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, person.userId))).length,
    sessions: await liveSessions(person.userId),
    devices: await liveDevices(person.userId),
    resets: (await resets(person.userId)).length,
    requests: (await db().select().from(twoFactorResets).where(eq(twoFactorResets.userId, person.userId))).length,
    mail: (await outboxTo(person.email)).length,
  };
}

async function expectRefused(person: { userId: string; email: string }, act: () => ReturnType<typeof resetMemberTwoFactor>, code: string, message: string) {
  const before = await state(person);
  expect(await act()).toEqual({ ok: false, code, message });
  expect(await state(person)).toEqual(before);
}

describe("resetMemberTwoFactor", () => {
  it("records a request and emails the member, but removes nothing: factors, codes, devices, sessions and sign-ins stay", async () => {
    const { teamId, admin, member } = await acme();
    expect(await state(member)).toMatchObject({ factors: 3, codes: 10, sessions: 2, devices: 1, resets: 0, requests: 0 });

    expect(await resetMemberTwoFactor(teamId, { id: admin.userId }, member.userId, meta)).toEqual({ ok: true, emailed: true, ready: true });

    expect(await state(member)).toMatchObject({ factors: 3, codes: 10, sessions: 2, devices: 1, resets: 1, requests: 1 });
    for (const sessionId of member.sessionIds) expect(await findSessionUser(sessionId)).not.toBeNull();
    expect(await isTrustedDevice(member.userId, member.deviceToken)).toBe(true);
    expect(await exchangeChallenge(member.challengeToken, meta)).not.toBeNull();
    const [event] = await resets(member.userId);
    expect(event).toMatchObject({ teamId, userId: member.userId, actorId: admin.userId, ip: meta.ip, data: { ready: true, factors: 3, kinds: ["totp", "email", "sms"] } });
    const [request] = await db().select().from(twoFactorResets);
    // Not ready for enrollment yet: nothing changes until the member uses it at sign-in.
    const [user] = await db().select().from(users).where(eq(users.id, member.userId));
    expect(user!.enrollRequiredBy).toBeNull();
    expect((await effectivePolicy(member.userId)).status).toBe("ok");

    const mail = (await outboxTo(member.email)).filter((m) => m.subject === "A reset of your two-factor authentication was requested");
    expect(mail).toHaveLength(1);
    const text = mail[0]!.text;
    expect(text).toContain("Adam Admin, an admin of Acme, asked to reset two-factor authentication on your Tessera account. Nothing has been removed.");
    expect(text).toContain("If you still have your second factor, sign in as usual. Nothing changes.");
    expect(text).toContain('choose "Lost your factors?". We\'ll send a code to this address');
    // The cancel link carries the token whose hash is stored.
    const token = text.match(/http:\/\/localhost:3000\/keep-2fa\/([\w-]+)/)![1]!;
    expect(hashToken(token)).toBe(request!.cancelTokenHash);
    expect(text).not.toContain(admin.email);
  });

  it("names typed by the team's creator cannot carry links, addresses or numbers into the email", async () => {
    const { teamId, owner, member } = await acme();
    await db().update(teams).set({ name: "Security team: visit evil.example/login" }).where(eq(teams.id, teamId));
    await db().update(users).set({ name: "Call +1 415 555 0100 now\nFrom: IT" }).where(eq(users.id, owner.userId));
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta)).toMatchObject({ ok: true });
    const [mail] = (await outboxTo(member.email)).filter((m) => m.subject === "A reset of your two-factor authentication was requested");
    expect(mail!.text).toContain("An admin, an owner of your team, asked to reset");
    expect(mail!.text).not.toMatch(/evil\.example|555|From: IT/);
  });

  it("refuses a member who joined less than 24 hours ago, and a second request while one is live; a withdrawn request may be made again", async () => {
    const { teamId, owner, member } = await acme();
    const newcomer = await withEverything("Nina Newcomer");
    await joinTeam(teamId, newcomer.userId, "member");
    await expectRefused(newcomer, () => resetMemberTwoFactor(teamId, { id: owner.userId }, newcomer.userId, meta), "TOO_NEW", RESET_MESSAGES.TOO_NEW);
    expect(RESET_MESSAGES.TOO_NEW).toContain("less than 24 hours ago");

    await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta);
    await expectRefused(member, () => resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta), "PENDING", RESET_MESSAGES.PENDING);

    expect(await withdrawMemberReset(teamId, { id: owner.userId }, member.userId, meta)).toEqual({ ok: true });
    expect(await resetState(db(), member.userId)).toBeNull();
    const [withdrawn] = await db().select().from(auditEvents).where(eq(auditEvents.type, "member.two_factor_reset_withdrawn"));
    expect(withdrawn).toMatchObject({ teamId, userId: member.userId, actorId: owner.userId });
    expect(await withdrawMemberReset(teamId, { id: owner.userId }, member.userId, meta)).toEqual({ ok: false, message: RESET_MESSAGES.NO_REQUEST });
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta)).toMatchObject({ ok: true });
  });

  it("another team's admin cannot withdraw this team's request, and a plain member cannot withdraw at all", async () => {
    const { teamId, owner, member, coOwner } = await acme();
    const other = await acme();
    await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta);
    expect(await withdrawMemberReset(teamId, { id: other.admin.userId }, member.userId, meta)).toEqual({ ok: false, message: RESET_MESSAGES.FORBIDDEN });
    expect(await withdrawMemberReset(teamId, { id: member.userId }, coOwner.userId, meta)).toEqual({ ok: false, message: RESET_MESSAGES.FORBIDDEN });
    expect((await resetState(db(), member.userId))?.ready).toBe(true);
  });

  it("a request dies with the requester's role or the member's membership", async () => {
    const { teamId, admin, member } = await acme();
    await resetMemberTwoFactor(teamId, { id: admin.userId }, member.userId, meta);
    await db().update(memberships).set({ role: "member" }).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, admin.userId)));
    expect(await resetState(db(), member.userId)).toBeNull();
  });

  it("the members page shows this team's request: pending, or waiting for another team that requires 2FA (never named)", async () => {
    const { teamId, owner, member, coOwner } = await acme();
    const strict = await acme({ requireTwoFactor: true, requireStartedAt: new Date(Date.now() - 86_400_000) });
    await joinTeam(strict.teamId, coOwner.userId, "member");
    await ageMemberships();
    await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta);
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, coOwner.userId, meta)).toEqual({ ok: true, emailed: true, ready: false, message: RESET_MESSAGES.WAITING });
    const byId = async (team: string) => Object.fromEntries((await listTeamMembers(team)).rows.map((r) => [r.userId, r.reset]));
    expect(await byId(teamId)).toMatchObject({ [member.userId]: "ready", [coOwner.userId]: "waiting", [owner.userId]: null });
    // The other team sees no request of its own.
    expect((await byId(strict.teamId))[coOwner.userId]).toBeNull();
    const [mail] = (await outboxTo(coOwner.email)).filter((m) => m.subject === "A reset of your two-factor authentication was requested");
    expect(mail!.text).toContain("Another team you belong to also requires two-factor authentication");
  });

  it("owners may ask for anyone else, other owners included", async () => {
    const { teamId, owner, admin, coOwner } = await acme();
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, coOwner.userId, meta)).toMatchObject({ ok: true });
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, admin.userId, meta)).toMatchObject({ ok: true });
    expect((await state(coOwner)).requests).toBe(1);
    expect((await state(admin)).requests).toBe(1);
  });

  it("an admin cannot reset an owner", async () => {
    const { teamId, admin, coOwner } = await acme();
    await expectRefused(coOwner, () => resetMemberTwoFactor(teamId, { id: admin.userId }, coOwner.userId, meta), "FORBIDDEN", RESET_MESSAGES.OWNER);
  });

  it("nobody resets themselves here", async () => {
    const { teamId, coOwner } = await acme();
    await expectRefused(coOwner, () => resetMemberTwoFactor(teamId, { id: coOwner.userId }, coOwner.userId, meta), "SELF", RESET_MESSAGES.SELF);
  });

  it("a member or an outsider is refused", async () => {
    const { teamId, member, coOwner } = await acme();
    const outsider = await createUser("Otto Outsider");
    await addTotpFactor(outsider.userId);
    await expectRefused(coOwner, () => resetMemberTwoFactor(teamId, { id: member.userId }, coOwner.userId, meta), "FORBIDDEN", RESET_MESSAGES.FORBIDDEN);
    await expectRefused(member, () => resetMemberTwoFactor(teamId, { id: outsider.userId }, member.userId, meta), "FORBIDDEN", RESET_MESSAGES.FORBIDDEN);
  });

  it("an admin of another team is refused on this team, and finds no such member in their own", async () => {
    const { teamId, member } = await acme();
    const other = await acme();
    await expectRefused(member, () => resetMemberTwoFactor(teamId, { id: other.admin.userId }, member.userId, meta), "FORBIDDEN", RESET_MESSAGES.FORBIDDEN);
    await expectRefused(member, () => resetMemberTwoFactor(other.teamId, { id: other.admin.userId }, member.userId, meta), "NOT_FOUND", RESET_MESSAGES.NOT_FOUND);
    await expectRefused(member, () => resetMemberTwoFactor("00000000-0000-4000-8000-000000000000", { id: other.admin.userId }, member.userId, meta), "FORBIDDEN", RESET_MESSAGES.FORBIDDEN);
  });

  it("an admin without a second factor of their own is refused", async () => {
    const { teamId, member } = await acme();
    const bare = await createUser("Bare Admin");
    await joinTeam(teamId, bare.userId, "admin");
    await expectRefused(member, () => resetMemberTwoFactor(teamId, { id: bare.userId }, member.userId, meta), "OWN_FACTOR", RESET_MESSAGES.OWN_FACTOR);
  });

  it("a member without a second factor has nothing to reset", async () => {
    const { teamId, owner } = await acme();
    const plain = await createUser("Pat Plain");
    await joinTeam(teamId, plain.userId, "member");
    await ageMemberships();
    await createSession(db(), { userId: plain.userId, ...meta });
    await expectRefused(plain, () => resetMemberTwoFactor(teamId, { id: owner.userId }, plain.userId, meta), "NOTHING", RESET_MESSAGES.NOTHING);
  });
});
