import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createChallenge, exchangeChallenge } from "@/lib/auth/challenge";
import { createSession, findSessionUser } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { auditEvents, factors, recoveryCodes, sessions, teams, trustedDevices, users } from "@/lib/db/schema";
import { isTrustedDevice, trustDevice } from "@/lib/factors/trusted-devices";
import { addEmailFactor, addSmsFactor, addTotpFactor, joinTeam, meta, outboxTo, uniqueEmail } from "@/tests/helpers";
import { effectivePolicy } from "./policy";
import { RESET_MESSAGES, resetMemberTwoFactor } from "./reset-member";

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
  return { teamId: owner.teamId, owner, admin, member, coOwner };
}

const liveSessions = async (userId: string) =>
  (await db().select({ id: sessions.id }).from(sessions).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))).length;
const liveDevices = async (userId: string) =>
  (await db().select({ id: trustedDevices.id }).from(trustedDevices).where(and(eq(trustedDevices.userId, userId), isNull(trustedDevices.revokedAt)))).length;
const resets = async (userId: string) => db().select().from(auditEvents).where(and(eq(auditEvents.userId, userId), eq(auditEvents.type, "member.two_factor_reset")));

/** Everything a reset takes away, and what it writes. */
async function state(person: { userId: string; email: string }) {
  return {
    factors: (await db().select().from(factors).where(eq(factors.userId, person.userId))).length,
    codes: (await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, person.userId))).length,
    sessions: await liveSessions(person.userId),
    devices: await liveDevices(person.userId),
    resets: (await resets(person.userId)).length,
    mail: (await outboxTo(person.email)).length,
  };
}

async function expectRefused(person: { userId: string; email: string }, act: () => ReturnType<typeof resetMemberTwoFactor>, code: string, message: string) {
  const before = await state(person);
  expect(await act()).toEqual({ ok: false, code, message });
  expect(await state(person)).toEqual(before);
}

describe("resetMemberTwoFactor", () => {
  it("deletes the member's factors and recovery codes, forgets their devices, ends every session and pending sign-in, audits and emails", async () => {
    const { teamId, admin, member, owner } = await acme();
    const bystander = await withEverything("Bea Bystander");
    await joinTeam(teamId, bystander.userId, "member");
    expect(await state(member)).toMatchObject({ factors: 3, codes: 10, sessions: 2, devices: 1, resets: 0 });

    expect(await resetMemberTwoFactor(teamId, { id: admin.userId }, member.userId, meta)).toEqual({ ok: true, emailed: true });

    expect(await state(member)).toMatchObject({ factors: 0, codes: 0, sessions: 0, devices: 0, resets: 1 });
    for (const sessionId of member.sessionIds) expect(await findSessionUser(sessionId)).toBeNull();
    expect(await isTrustedDevice(member.userId, member.deviceToken)).toBe(false);
    expect(await exchangeChallenge(member.challengeToken, meta)).toBeNull();

    const [event] = await resets(member.userId);
    expect(event).toMatchObject({ teamId, userId: member.userId, actorId: admin.userId, ip: meta.ip, data: { factors: 3, kinds: ["totp", "email", "sms"] } });

    const mail = (await outboxTo(member.email)).filter((m) => m.subject === "Your two-factor authentication was reset");
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("Adam Admin");
    expect(mail[0]!.text).toContain("an admin of Acme");
    expect(mail[0]!.text).toContain("http://localhost:3000/setup-2fa");
    // Acme does not require 2FA, but after a reset the member must enroll again all the same…
    expect(mail[0]!.text).toContain("You'll set up two-factor authentication again right after your next sign-in");
    expect((await effectivePolicy(member.userId)).status).toBe("blocked");
    // …until their next factor.
    await addTotpFactor(member.userId);
    expect((await effectivePolicy(member.userId)).status).toBe("ok");

    // Nobody else is touched: another member, the admin, the owner.
    expect(await state(bystander)).toMatchObject({ factors: 3, codes: 10, sessions: 2, devices: 1, resets: 0 });
    expect(await isTrustedDevice(bystander.userId, bystander.deviceToken)).toBe(true);
    expect((await state(admin)).factors).toBe(1);
    expect((await state(owner)).factors).toBe(1);
  });

  it("in a team that requires 2FA, the member must enroll again before using Tessera, and the email says so", async () => {
    const { teamId, owner, member } = await acme({ requireTwoFactor: true, requireStartedAt: new Date(Date.now() - 86_400_000) });
    expect((await effectivePolicy(member.userId)).status).toBe("ok");
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, member.userId, meta)).toEqual({ ok: true, emailed: true });
    expect((await effectivePolicy(member.userId)).status).toBe("blocked");
    const [mail] = (await outboxTo(member.email)).filter((m) => m.subject === "Your two-factor authentication was reset");
    expect(mail!.text).toContain("You'll set up two-factor authentication again right after your next sign-in");
    expect(mail!.text).toContain("an owner of Acme");
  });

  it("owners may reset anyone else, other owners included", async () => {
    const { teamId, owner, admin, coOwner } = await acme();
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, coOwner.userId, meta)).toMatchObject({ ok: true });
    expect((await state(coOwner)).factors).toBe(0);
    expect(await resetMemberTwoFactor(teamId, { id: owner.userId }, admin.userId, meta)).toMatchObject({ ok: true });
    expect((await state(admin)).factors).toBe(0);
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
    await createSession(db(), { userId: plain.userId, ...meta });
    await expectRefused(plain, () => resetMemberTwoFactor(teamId, { id: owner.userId }, plain.userId, meta), "NOTHING", RESET_MESSAGES.NOTHING);
  });
});
