import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { describeChallenge, sendAdminResetCode, verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { db } from "@/lib/db";
import { auditEvents, factors, memberships, recoveryCodes, sessions, signInChallenges, teams, twoFactorResets, users } from "@/lib/db/schema";
import { hashToken } from "@/lib/security/tokens";
import {
  addTotpFactor,
  auditEventsOf,
  createUser,
  endCodeCooldowns,
  lastCodeTo,
  meta,
  outboxTo,
  PASSWORD,
  totpCode,
} from "@/tests/helpers";
import { acceptInvitation, createInvitation } from "./invitations";
import { keepTwoFactor } from "./keep-two-factor";
import { effectivePolicy } from "./policy";
import { RESET_MESSAGES, resetMemberTwoFactor } from "./reset-member";

const attackerMeta = { ip: "192.0.2.66", userAgent: "curl/8.0" };
type Person = Awaited<ReturnType<typeof createUser>>;

/** `inviter` invites `invitee` to the inviter's own team, and the invitee accepts from the emailed link. */
async function inviteAndAccept(inviter: Person, invitee: Person) {
  const invited = await createInvitation(inviter.teamId, { id: inviter.userId }, { email: invitee.email, role: "member" }, meta);
  expect(invited.ok).toBe(true);
  const mail = (await outboxTo(invitee.email)).filter((m) => m.text.includes("/invite/")).at(-1);
  const token = mail!.text.match(/\/invite\/([\w-]+)/)![1]!;
  expect(await acceptInvitation(token, { id: invitee.userId, email: invitee.email }, meta)).toMatchObject({ ok: true });
}

/** Pretends the membership was created `hours` ago (the 24-hour rule counts from it). */
async function ageMembership(teamId: string, userId: string, hours = 25) {
  await db()
    .update(memberships)
    .set({ createdAt: sql`now() - (${hours} * interval '1 hour')` })
    .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
}

/** The attacker signs in with the victim's (phished) password. */
async function passwordOf(person: Person, m = attackerMeta) {
  const step = await passwordStep({ email: person.email, password: PASSWORD }, m);
  if (!step.ok) throw new Error(step.message);
  return step;
}

const cancelTokenIn = async (email: string) => {
  const mail = (await outboxTo(email)).filter((m) => m.text.includes("/keep-2fa/")).at(-1);
  return mail!.text.match(/\/keep-2fa\/([\w-]+)/)![1]!;
};

const factorCount = async (userId: string) => (await db().select().from(factors).where(eq(factors.userId, userId))).length;
const sessionCount = async (userId: string) => (await db().select().from(sessions).where(eq(sessions.userId, userId))).length;

/** A victim with an authenticator app, and an attacker who owns a team (as every account does) with an app of their own. */
async function attackerAndVictim() {
  const victim = await createUser({ name: "Vera Victim" });
  const victimTotp = await addTotpFactor(victim.userId);
  const attacker = await createUser({ name: "Mallory" });
  await addTotpFactor(attacker.userId);
  await inviteAndAccept(attacker, victim);
  return { victim, victimTotp, attacker };
}

describe("an admin reset is not a takeover path", () => {
  it("the attack, step by step, ends without access", async () => {
    const { victim, victimTotp, attacker } = await attackerAndVictim();

    // 1. Straight after the victim joined, the reset is refused and nothing is written.
    expect(await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta)).toEqual({ ok: false, code: "TOO_NEW", message: RESET_MESSAGES.TOO_NEW });
    expect(await db().select().from(twoFactorResets)).toHaveLength(0);

    // 2. A day later the request is recorded, but nothing is removed.
    await ageMembership(attacker.teamId, victim.userId);
    expect(await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta)).toMatchObject({ ok: true, ready: true });
    expect(await factorCount(victim.userId)).toBe(1);
    expect((await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, victim.userId))).length).toBe(10);
    const [request] = await db().select().from(twoFactorResets);
    expect(request).toMatchObject({ userId: victim.userId, teamId: attacker.teamId, requestedBy: attacker.userId, canceledAt: null, completedAt: null });
    expect(request!.expiresAt.getTime() - request!.createdAt.getTime()).toBe(7 * 86_400_000);
    expect(await auditEventsOf(victim.userId, "member.two_factor_reset")).toHaveLength(1);
    // A second request from the same team is refused: one is live already.
    expect(await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta)).toEqual({ ok: false, code: "PENDING", message: RESET_MESSAGES.PENDING });

    // 3. With the victim's password the attacker reaches only an incomplete challenge.
    const step = await passwordOf(victim);
    expect(step.secondFactorRequired).toBe(true);
    expect(await exchangeChallenge(step.challengeToken, attackerMeta)).toBeNull();
    const challenge = await describeChallenge(step.challengeToken);
    expect(challenge!.adminReset).toBe("ready");

    // 4. "Lost your factors?" sends the code to the victim's own address, never to the attacker.
    const before = (await outboxTo(victim.email)).length;
    expect(await sendAdminResetCode(step.challengeToken, attackerMeta)).toMatchObject({ ok: true });
    const sent = (await outboxTo(victim.email)).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/code is \d{6}/);
    expect((await outboxTo(attacker.email)).some((m) => /code is \d{6}/.test(m.text) && m.subject?.includes("reset"))).toBe(false);

    // 5. Guessing: the code dies after 5 wrong tries, and so does the challenge.
    const code = await lastCodeTo(victim.email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) expect((await verifyChallenge(step.challengeToken, { method: "admin_reset", code: wrong }, { remember: false }, attackerMeta)).ok).toBe(false);
    expect(await verifyChallenge(step.challengeToken, { method: "admin_reset", code }, { remember: false }, attackerMeta)).toMatchObject({ ok: false, restart: true });
    expect(await exchangeChallenge(step.challengeToken, attackerMeta)).toBeNull();
    expect(await sessionCount(victim.userId)).toBe(0);
    expect(await factorCount(victim.userId)).toBe(1);

    // 6. The victim keeps their 2FA from the emailed link: the request is canceled and audited.
    const cancelToken = await cancelTokenIn(victim.email);
    expect(await keepTwoFactor(cancelToken, meta)).toEqual({ ok: true, canceled: 1 });
    expect((await db().select().from(twoFactorResets))[0]!.canceledAt).not.toBeNull();
    expect(await auditEventsOf(victim.userId, "member.two_factor_reset_canceled")).toHaveLength(1);
    // The admin who asked is told.
    expect((await outboxTo(attacker.email)).some((m) => m.subject === "A two-factor reset you asked for was canceled")).toBe(true);

    // 7. A fresh sign-in with the password offers no reset any more; the victim's app still works.
    await endCodeCooldowns();
    const again = await passwordOf(victim);
    expect((await describeChallenge(again.challengeToken))!.adminReset).toBeNull();
    expect(await sendAdminResetCode(again.challengeToken, attackerMeta)).toMatchObject({ ok: false });
    expect(await verifyChallenge(again.challengeToken, { method: "admin_reset", code: "123456" }, { remember: false }, attackerMeta)).toMatchObject({ ok: false });
    const own = await passwordOf(victim, meta);
    expect(await verifyChallenge(own.challengeToken, { method: "totp", code: await totpCode(victimTotp.secret) }, { remember: false }, meta)).toMatchObject({ ok: true });

    // 8. Replaying the cancel link does nothing more.
    expect(await keepTwoFactor(cancelToken, meta)).toEqual({ ok: true, canceled: 0 });
    expect(await auditEventsOf(victim.userId, "member.two_factor_reset_canceled")).toHaveLength(1);
    expect(await keepTwoFactor("not-a-token", meta)).toMatchObject({ ok: false });
  });

  it("a member of another team that requires 2FA is not reset until that team asks too", async () => {
    const { victim, attacker } = await attackerAndVictim();
    // The victim's employer requires 2FA.
    const employer = await createUser({ name: "Erin Employer" });
    await addTotpFactor(employer.userId);
    await db().update(teams).set({ requireTwoFactor: true, requireStartedAt: new Date(Date.now() - 86_400_000) }).where(eq(teams.id, employer.teamId));
    await inviteAndAccept(employer, victim);
    await ageMembership(attacker.teamId, victim.userId);
    await ageMembership(employer.teamId, victim.userId);

    const asked = await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta);
    expect(asked).toEqual({ ok: true, emailed: true, ready: false, message: RESET_MESSAGES.WAITING });
    expect(RESET_MESSAGES.WAITING).not.toContain("Erin");
    const step = await passwordOf(victim);
    expect((await describeChallenge(step.challengeToken))!.adminReset).toBeNull();
    expect(await sendAdminResetCode(step.challengeToken, attackerMeta)).toMatchObject({ ok: false });
    expect((await outboxTo(victim.email)).filter((m) => /code is \d{6}/.test(m.text))).toHaveLength(0);

    // The employer's admin asks too: now it is ready — a joint request.
    expect(await resetMemberTwoFactor(employer.teamId, { id: employer.userId }, victim.userId, meta)).toMatchObject({ ok: true, ready: true });
    const next = await passwordOf(victim, meta);
    expect((await describeChallenge(next.challengeToken))!.adminReset).toBe("ready");
  });

  it("a request from a team the member has left, or that expired, counts for nothing", async () => {
    const { victim, attacker } = await attackerAndVictim();
    await ageMembership(attacker.teamId, victim.userId);
    await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta);
    await db().update(twoFactorResets).set({ expiresAt: sql`now() - interval '1 second'` });
    expect((await describeChallenge((await passwordOf(victim)).challengeToken))!.adminReset).toBeNull();
    // Expired: a new request may be made.
    expect(await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta)).toMatchObject({ ok: true });
    await db().delete(memberships).where(and(eq(memberships.teamId, attacker.teamId), eq(memberships.userId, victim.userId)));
    expect((await describeChallenge((await passwordOf(victim)).challengeToken))!.adminReset).toBeNull();
  });

  it("after a completed reset the password alone never completes a sign-in: every sign-in needs an emailed code until a factor is enrolled", async () => {
    const victim = await createUser({ name: "Vera Victim" });
    await addTotpFactor(victim.userId);
    const owner = await createUser({ name: "Olive Owner" });
    await addTotpFactor(owner.userId);
    await inviteAndAccept(owner, victim);
    await ageMembership(owner.teamId, victim.userId);
    await resetMemberTwoFactor(owner.teamId, { id: owner.userId }, victim.userId, meta);
    // The victim lost their phone: they use the reset.
    const step = await passwordOf(victim, meta);
    await sendAdminResetCode(step.challengeToken, meta);
    expect(await verifyChallenge(step.challengeToken, { method: "admin_reset", code: await lastCodeTo(victim.email) }, { remember: true }, meta)).toMatchObject({ ok: true });
    expect(await exchangeChallenge(step.challengeToken, meta)).not.toBeNull();
    const [user] = await db().select().from(users).where(eq(users.id, victim.userId));
    expect(user!.enrollRequiredBy).toBe(owner.teamId);

    // They leave without enrolling. The password alone gives an incomplete challenge, every time.
    for (let i = 0; i < 2; i++) {
      const later = await passwordOf(victim);
      expect(later.secondFactorRequired).toBe(true);
      expect(await exchangeChallenge(later.challengeToken, attackerMeta)).toBeNull();
      expect((await describeChallenge(later.challengeToken))!.adminReset).toBe("required");
      const [row] = await db().select().from(signInChallenges).where(eq(signInChallenges.tokenHash, hashToken(later.challengeToken)));
      expect(row!.completedAt).toBeNull();
    }
    // The emailed code is what completes it.
    await endCodeCooldowns();
    const proof = await passwordOf(victim, meta);
    expect(await sendAdminResetCode(proof.challengeToken, meta)).toMatchObject({ ok: true });
    expect(await verifyChallenge(proof.challengeToken, { method: "admin_reset", code: await lastCodeTo(victim.email) }, { remember: false }, meta)).toMatchObject({ ok: true });
    expect(await exchangeChallenge(proof.challengeToken, meta)).not.toBeNull();

    // Once the mailbox reset the password, the mailbox alone is not proof: refused, with a reason.
    await db().update(users).set({ emailFactorSuspendedAt: new Date() }).where(eq(users.id, victim.userId));
    await endCodeCooldowns();
    const suspended = await passwordOf(victim);
    expect(await sendAdminResetCode(suspended.challengeToken, attackerMeta)).toEqual({ ok: false, message: expect.stringContaining("password was reset by email") });

    // Enrolling a factor ends it: back to the usual sign-in with that factor.
    await db().update(users).set({ emailFactorSuspendedAt: null }).where(eq(users.id, victim.userId));
    await addTotpFactor(victim.userId);
    expect((await describeChallenge((await passwordOf(victim)).challengeToken))!.adminReset).toBeNull();
  });

  it("using a ready reset removes the factors, codes, devices and sessions, completes the request and audits it, in one step", async () => {
    const { victim, attacker } = await attackerAndVictim();
    await ageMembership(attacker.teamId, victim.userId);
    await resetMemberTwoFactor(attacker.teamId, { id: attacker.userId }, victim.userId, meta);
    await db().update(users).set({ secondFactorFailures: 42, secondFactorBlockedAt: new Date() }).where(eq(users.id, victim.userId));
    const other = await passwordOf(victim, meta); // another sign-in, left open
    const step = await passwordOf(victim, meta);
    await sendAdminResetCode(step.challengeToken, meta);
    expect(await verifyChallenge(step.challengeToken, { method: "admin_reset", code: await lastCodeTo(victim.email) }, { remember: true }, meta)).toEqual({ ok: true });
    expect(await factorCount(victim.userId)).toBe(0);
    expect((await db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, victim.userId))).length).toBe(0);
    expect(await exchangeChallenge(other.challengeToken, meta)).toBeNull();
    const [request] = await db().select().from(twoFactorResets);
    expect(request!.completedAt).not.toBeNull();
    const [user] = await db().select().from(users).where(eq(users.id, victim.userId));
    expect(user).toMatchObject({ enrollRequiredBy: attacker.teamId, secondFactorFailures: 0, secondFactorBlockedAt: null });
    const [done] = await auditEventsOf(victim.userId, "member.two_factor_reset_completed");
    expect(done).toMatchObject({ teamId: attacker.teamId, data: { factors: 1, kinds: ["totp"] } });
    const session = await exchangeChallenge(step.challengeToken, meta);
    expect(session).not.toBeNull();
    // An email code is not a fresh factor for step-up.
    const [row] = await db().select().from(sessions).where(eq(sessions.id, session!.sessionId));
    expect(row!.stepUpAt).toBeNull();
    expect((await db().select().from(auditEvents).where(eq(auditEvents.type, "sign_in.succeeded"))).at(-1)!.data).toEqual({ method: "admin_reset" });
    // The session that follows is held on the setup page (the attacker's team does not require 2FA, the reset does)…
    expect((await effectivePolicy(victim.userId)).status).toBe("blocked");
    // …until a new factor, which clears the requirement the reset set.
    await addTotpFactor(victim.userId);
    expect((await effectivePolicy(victim.userId)).status).toBe("ok");
    expect((await db().select().from(users).where(eq(users.id, victim.userId)))[0]!.enrollRequiredBy).toBeNull();
    // The member was told, after the fact, that the reset was used.
    expect((await outboxTo(victim.email)).some((m) => m.subject === "Your two-factor authentication was reset")).toBe(true);
  });
});
