import { and, desc, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, invitations, memberships, outbox, rateLimits, teams, type Role } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { hashToken } from "@/lib/security/tokens";
import { createUser, joinTeam, meta, outboxTo, PHONE, uniqueEmail } from "@/tests/helpers";
import {
  acceptInvitation,
  createInvitation,
  describeInvitation,
  INVITATION_MESSAGES,
  INVITES_PER_EMAIL_PER_HOUR,
  INVITES_PER_TEAM_PER_HOUR,
  listPendingInvitations,
  phoneRequirement,
  resendInvitation,
  revokeInvitation,
} from "./invitations";
import { updateTeamPolicy, type PolicyInput } from "./policy";
import { captureLog } from "@/tests/log-spy";

// The real outbox sends, wrapped so a test can make one send fail.
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return { ...actual, send: vi.fn(actual.send) };
});

afterEach(() => {
  vi.restoreAllMocks();
});

const basePolicy: PolicyInput = {
  requireTwoFactor: false,
  graceDays: 0,
  allowedMethods: ["totp", "email", "sms", "webauthn"],
  smsBackupOnly: false,
  defaultMethod: "totp",
  rememberDeviceDays: 30,
};
/** No SMS at all: no phone number needed, so most tests can leave it out. */
const NO_SMS: Partial<PolicyInput> = { allowedMethods: ["totp", "email", "webauthn"] };
const INVALID_LINK = INVITATION_MESSAGES.INVALID_LINK;

/** A team owned by a new user, with its policy set by that owner. */
async function teamWith(policy: Partial<PolicyInput> = NO_SMS, name = "Grace Hopper") {
  const owner = await createUser({ name });
  const result = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...basePolicy, ...policy }, meta);
  if (!result.ok) throw new Error(result.message);
  const [team] = await db().select({ name: teams.name }).from(teams).where(eq(teams.id, owner.teamId));
  return { owner, teamId: owner.teamId, teamName: team!.name, actor: { id: owner.userId } };
}

/** The token of the newest invitation emailed to `email`. */
async function tokenSentTo(email: string): Promise<string> {
  const [mail] = await db().select().from(outbox).where(eq(outbox.to, email)).orderBy(desc(outbox.seq)).limit(1);
  const token = mail?.text.match(/\/invite\/([\w-]+)/)?.[1];
  if (!token) throw new Error(`no invitation link sent to ${email}`);
  return token;
}

/** Invites `email` to the team and returns the emailed token. */
async function invite(team: { teamId: string; actor: { id: string } }, email = uniqueEmail("invitee"), role: Role = "member", phone?: string) {
  const result = await createInvitation(team.teamId, team.actor, { email, role, phone }, meta);
  if (!result.ok) throw new Error(result.message);
  return { token: await tokenSentTo(result.invitation.email), invitation: result.invitation, email: result.invitation.email };
}

/** Everything an invitation action could change, to prove a refusal changed nothing. */
async function snapshot() {
  return {
    invitations: await db().select().from(invitations).orderBy(invitations.createdAt),
    memberships: await db().select().from(memberships).orderBy(memberships.createdAt, memberships.userId),
    events: await db().select().from(auditEvents).orderBy(auditEvents.createdAt, auditEvents.id),
    outbox: await db().select().from(outbox).orderBy(outbox.seq),
  };
}

const eventsOf = (teamId: string, type: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, type))).orderBy(auditEvents.createdAt);
const membershipOf = async (teamId: string, userId: string) =>
  (await db().select().from(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId))))[0] ?? null;
const invitationRow = async (id: string) => (await db().select().from(invitations).where(eq(invitations.id, id)))[0]!;

describe("createInvitation", () => {
  it("stores only the token's hash, for 7 days, lower-cases the email, audits and emails a link naming the team and the inviter", async () => {
    const team = await teamWith();
    const email = uniqueEmail("Invitee").toUpperCase();
    const result = await createInvitation(team.teamId, team.actor, { email: `  ${email} `, role: "member" }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const lower = email.toLowerCase();
    expect(result.invitation).toMatchObject({ email: lower, role: "member", phone: null, invitedById: team.owner.userId, invitedByName: "Grace Hopper" });

    const token = await tokenSentTo(lower);
    expect(token).toMatch(/^[\w-]{43}$/); // 256 bits, base64url
    const row = await invitationRow(result.invitation.id);
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(await db().select().from(invitations))).not.toContain(token);
    const days = (row.expiresAt.getTime() - row.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);

    const [mail] = await outboxTo(lower);
    expect(mail!.subject).toBe(`Grace Hopper invited you to join ${team.teamName} on Tessera`);
    expect(mail!.text).toContain(`Grace Hopper (${team.owner.email}) invited you to join the team ${team.teamName} on Tessera as a member.`);
    expect(mail!.text).toContain(`http://localhost:3000/invite/${token}`);
    expect(mail!.text).toContain("within 7 days");

    const [event] = await eventsOf(team.teamId, "invitation.sent");
    expect(event).toMatchObject({ actorId: team.owner.userId, ip: meta.ip, data: { invitationId: row.id, email: lower, role: "member" } });
  });

  it("says plainly in the email when the team requires 2FA, and which methods it allows", async () => {
    const strict = await teamWith({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn", "sms"], smsBackupOnly: true, defaultMethod: "totp" });
    const { email } = await invite(strict);
    const [mail] = await outboxTo(email);
    expect(mail!.text).toContain(`${strict.teamName} requires two-factor authentication: you will set up a second factor before you can use the team.`);
    expect(mail!.text).toContain("Allowed methods: Authenticator app, Text message (SMS) and Security key or passkey — text messages as a backup only.");

    const relaxed = await teamWith();
    const other = await invite(relaxed);
    const [plain] = await outboxTo(other.email);
    expect(plain!.text).not.toMatch(/two-factor|Allowed methods/i);
  });

  it("never relays a link or a number to call in the inviter's or the team's name, and keeps names on one line", async () => {
    const team = await teamWith(NO_SMS, "Mallory\n\nYour account is locked: open http://evil.example");
    await db().update(teams).set({ name: "Acme http://evil.example" }).where(eq(teams.id, team.teamId));
    const { email } = await invite(team);
    const [mail] = await outboxTo(email);
    expect(mail!.subject).toBe("Someone invited you to join a team on Tessera");
    expect(mail!.text.split("\n")[2]).toBe(`Someone (${team.owner.email}) invited you to join a team on Tessera as a member.`);
    expect(`${mail!.subject}\n${mail!.text}`).not.toContain("evil.example");

    const plain = await teamWith(NO_SMS, "Grace\nHopper");
    await db().update(teams).set({ name: "Call +1 555 0100" }).where(eq(teams.id, plain.teamId));
    const [second] = await outboxTo((await invite(plain)).email);
    expect(second!.subject).toBe("Grace Hopper invited you to join a team on Tessera");
    expect(second!.text).not.toContain("555 0100");
  });

  it("an admin invites members and admins; only an owner may invite an owner", async () => {
    const team = await teamWith();
    const admin = await createUser({ name: "Alan Turing" });
    await joinTeam(team.teamId, admin.userId, "admin");

    const asAdmin = await createInvitation(team.teamId, { id: admin.userId }, { email: uniqueEmail(), role: "admin" }, meta);
    expect(asAdmin).toMatchObject({ ok: true, invitation: { role: "admin", invitedByName: "Alan Turing" } });

    const before = await snapshot();
    const ownerByAdmin = await createInvitation(team.teamId, { id: admin.userId }, { email: uniqueEmail(), role: "owner" }, meta);
    expect(ownerByAdmin).toMatchObject({ ok: false, code: "FORBIDDEN", message: INVITATION_MESSAGES.OWNER_ONLY, fieldErrors: { role: [INVITATION_MESSAGES.OWNER_ONLY] } });
    expect(await snapshot()).toEqual(before);

    expect(await createInvitation(team.teamId, team.actor, { email: uniqueEmail(), role: "owner" }, meta)).toMatchObject({ ok: true, invitation: { role: "owner" } });
  });

  it.each([
    ["an empty email", { email: " ", role: "member" }, "email", "Enter the email address of the person to invite."],
    ["a malformed email", { email: "ada@", role: "member" }, "email", "Enter a valid email address, like name@example.com."],
    ["an unknown role", { email: "ada@example.com", role: "superuser" }, "role", "Choose a role: member, admin or owner."],
    ["no role", { email: "ada@example.com" }, "role", "Choose a role: member, admin or owner."],
    ["a phone number with letters", { email: "ada@example.com", role: "member", phone: "call me" }, "phone", "Use only digits"],
  ])("refuses %s and changes nothing", async (_name, input, field, message) => {
    const team = await teamWith();
    const before = await snapshot();
    const result = await createInvitation(team.teamId, team.actor, input, meta);
    expect(result).toMatchObject({ ok: false, code: "INVALID" });
    if (!result.ok) expect(result.fieldErrors?.[field]?.[0]).toContain(message);
    expect(await snapshot()).toEqual(before);
  });

  it("requires a phone number while the team allows SMS as a primary method, and stores it in E.164", async () => {
    const team = await teamWith({ allowedMethods: ["totp", "sms"], smsBackupOnly: false, defaultMethod: "totp" });
    const before = await snapshot();
    const missing = await createInvitation(team.teamId, team.actor, { email: uniqueEmail(), role: "member", phone: "  " }, meta);
    expect(missing).toMatchObject({ ok: false, code: "INVALID", fieldErrors: { phone: [INVITATION_MESSAGES.PHONE_REQUIRED] } });
    const bad = await createInvitation(team.teamId, team.actor, { email: uniqueEmail(), role: "member", phone: "+1 555 0100" }, meta);
    expect(bad).toMatchObject({ ok: false, code: "INVALID" });
    expect(await snapshot()).toEqual(before);

    const ok = await createInvitation(team.teamId, team.actor, { email: uniqueEmail(), role: "member", phone: "+1 (415) 555-2671" }, meta);
    expect(ok).toMatchObject({ ok: true, invitation: { phone: PHONE } });
  });

  it("leaves the phone number optional when SMS is a backup only, or not allowed", async () => {
    const backup = await teamWith({ allowedMethods: ["totp", "sms"], smsBackupOnly: true, defaultMethod: "totp" });
    expect(await createInvitation(backup.teamId, backup.actor, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject({ ok: true, invitation: { phone: null } });
    expect(await createInvitation(backup.teamId, backup.actor, { email: uniqueEmail(), role: "member", phone: PHONE }, meta)).toMatchObject({
      ok: true,
      invitation: { phone: PHONE },
    });
    const none = await teamWith(NO_SMS);
    expect(await createInvitation(none.teamId, none.actor, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject({ ok: true });

    expect(phoneRequirement({ allowedMethods: ["sms", "totp"], smsBackupOnly: false })).toBe("required");
    expect(phoneRequirement({ allowedMethods: ["sms", "totp"], smsBackupOnly: true })).toBe("optional");
    expect(phoneRequirement({ allowedMethods: ["totp"], smsBackupOnly: false })).toBe("none");
  });

  it("refuses an email that already belongs to a member, in any case", async () => {
    const team = await teamWith();
    const member = await createUser();
    await joinTeam(team.teamId, member.userId);
    const before = await snapshot();
    for (const email of [member.email.toUpperCase(), team.owner.email]) {
      const result = await createInvitation(team.teamId, team.actor, { email, role: "member" }, meta);
      expect(result).toMatchObject({ ok: false, code: "ALREADY_MEMBER", fieldErrors: { email: [INVITATION_MESSAGES.ALREADY_MEMBER(email.toLowerCase())] } });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a new invitation to the same address replaces the pending one: the old link dies", async () => {
    const team = await teamWith();
    const first = await invite(team, "ada@example.com", "member");
    const second = await invite(team, "ADA@example.com", "admin");
    expect(second.token).not.toBe(first.token);

    expect(await describeInvitation(first.token)).toMatchObject({ ok: false, message: INVALID_LINK });
    expect(await describeInvitation(second.token)).toMatchObject({ ok: true, invitation: { role: "admin" } });
    const pending = await listPendingInvitations(team.teamId);
    expect(pending.invitations.map((i) => i.id)).toEqual([second.invitation.id]);
    const [, replacing] = await eventsOf(team.teamId, "invitation.sent");
    expect(replacing!.data).toMatchObject({ replaced: [first.invitation.id] });

    // Another team's invitation to the same person is left alone.
    const other = await teamWith();
    const elsewhere = await invite(other, "ada@example.com");
    expect((await describeInvitation(second.token)).ok).toBe(true);
    expect((await describeInvitation(elsewhere.token)).ok).toBe(true);
  });

  it(`limits invitations to ${INVITES_PER_EMAIL_PER_HOUR} per address and ${INVITES_PER_TEAM_PER_HOUR} per team an hour`, async () => {
    const team = await teamWith();
    const email = uniqueEmail();
    for (let i = 0; i < INVITES_PER_EMAIL_PER_HOUR; i += 1) await invite(team, email);
    const before = await snapshot();
    const flood = await createInvitation(team.teamId, team.actor, { email, role: "member" }, meta);
    expect(flood).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    if (!flood.ok) expect(flood.message).toMatch(/^Too many invitations went to this address\. Try again in (59|60) minutes\.$/);
    expect(await snapshot()).toEqual(before);

    // The team's own hourly budget, nearly spent.
    await db()
      .update(rateLimits)
      .set({ count: INVITES_PER_TEAM_PER_HOUR })
      .where(eq(rateLimits.key, `invite:team:${team.teamId}`));
    const teamFlood = await createInvitation(team.teamId, team.actor, { email: uniqueEmail(), role: "member" }, meta);
    expect(teamFlood).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    if (!teamFlood.ok) expect(teamFlood.message).toMatch(/^This team has sent too many invitations\./);
  });

  it("keeps the invitation pending when its email cannot be sent, so it can be resent", async () => {
    const team = await teamWith();
    const email = uniqueEmail();
    vi.mocked(send).mockRejectedValueOnce(new Error("provider timeout"));
    const logged = captureLog();
    const failed = await createInvitation(team.teamId, team.actor, { email, role: "member" }, meta);
    expect(failed).toMatchObject({ ok: false, code: "DELIVERY_FAILED", message: INVITATION_MESSAGES.DELIVERY_FAILED(email) });
    expect(logged.text()).toContain("invitations.email_failed");
    const [pending] = (await listPendingInvitations(team.teamId)).invitations;
    expect(pending).toMatchObject({ email });

    expect((await resendInvitation(team.teamId, team.actor, pending!.id, meta)).ok).toBe(true);
    expect((await describeInvitation(await tokenSentTo(email))).ok).toBe(true);
  });
});

describe("role checks: refused, and nothing changes", () => {
  async function setting() {
    const a = await teamWith(NO_SMS, "Owner A");
    const b = await teamWith(NO_SMS, "Owner B");
    const adminOfA = await createUser({ name: "Admin A" });
    const memberOfB = await createUser({ name: "Member B" });
    const outsider = await createUser({ name: "Outsider" });
    await joinTeam(a.teamId, adminOfA.userId, "admin");
    await joinTeam(b.teamId, memberOfB.userId, "member");
    const pendingInB = await invite(b);
    return { a, b, adminOfA, memberOfB, outsider, pendingInB };
  }

  it("an admin of team A cannot invite to, revoke or resend in team B", async () => {
    const { b, adminOfA, pendingInB } = await setting();
    const actor = { id: adminOfA.userId };
    const before = await snapshot();
    const forbidden = { ok: false, code: "FORBIDDEN", message: INVITATION_MESSAGES.FORBIDDEN };
    expect(await createInvitation(b.teamId, actor, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject(forbidden);
    expect(await revokeInvitation(b.teamId, actor, pendingInB.invitation.id, meta)).toMatchObject(forbidden);
    expect(await resendInvitation(b.teamId, actor, pendingInB.invitation.id, meta)).toMatchObject(forbidden);
    expect(await snapshot()).toEqual(before);
  });

  it("an admin of team A naming their own team cannot reach team B's invitation", async () => {
    const { a, adminOfA, pendingInB } = await setting();
    const before = await snapshot();
    const notPending = { ok: false, code: "NOT_PENDING", message: INVITATION_MESSAGES.NOT_PENDING };
    expect(await revokeInvitation(a.teamId, { id: adminOfA.userId }, pendingInB.invitation.id, meta)).toMatchObject(notPending);
    expect(await resendInvitation(a.teamId, { id: adminOfA.userId }, pendingInB.invitation.id, meta)).toMatchObject(notPending);
    expect(await snapshot()).toEqual(before);
    expect((await describeInvitation(pendingInB.token)).ok).toBe(true);
  });

  it("a member or an outsider calling an admin action is refused", async () => {
    const { b, memberOfB, outsider, pendingInB } = await setting();
    const before = await snapshot();
    for (const actor of [{ id: memberOfB.userId }, { id: outsider.userId }]) {
      expect(await createInvitation(b.teamId, actor, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(await revokeInvitation(b.teamId, actor, pendingInB.invitation.id, meta)).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(await resendInvitation(b.teamId, actor, pendingInB.invitation.id, meta)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a member's bad input is refused as forbidden, not validated; an unknown or malformed team is forbidden", async () => {
    const { b, memberOfB, outsider } = await setting();
    expect(await createInvitation(b.teamId, { id: memberOfB.userId }, { email: "nope" }, meta)).toMatchObject({ code: "FORBIDDEN" });
    expect(await createInvitation("00000000-0000-4000-8000-000000000000", { id: outsider.userId }, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await createInvitation("not-a-uuid", { id: outsider.userId }, { email: uniqueEmail(), role: "member" }, meta)).toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("listPendingInvitations", () => {
  it("lists live invitations of this team only, newest first, with the inviter's name, capped with a total", async () => {
    const team = await teamWith();
    const other = await teamWith();
    const first = await invite(team, uniqueEmail("first"));
    const second = await invite(team, uniqueEmail("second"), "admin");
    const expired = await invite(team, uniqueEmail("expired"));
    const revoked = await invite(team, uniqueEmail("revoked"));
    await invite(other);
    await db().update(invitations).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(invitations.id, expired.invitation.id));
    await revokeInvitation(team.teamId, team.actor, revoked.invitation.id, meta);

    const list = await listPendingInvitations(team.teamId);
    expect(list.total).toBe(2);
    expect(list.invitations.map((i) => i.email)).toEqual([second.email, first.email]);
    expect(list.invitations[0]).toMatchObject({ role: "admin", invitedByName: "Grace Hopper", invitedById: team.owner.userId });

    const capped = await listPendingInvitations(team.teamId, { limit: 1 });
    expect(capped).toMatchObject({ total: 2, invitations: [{ email: second.email }] });
    expect(await listPendingInvitations("00000000-0000-4000-8000-000000000000")).toEqual({ total: 0, invitations: [] });
  });
});

describe("revokeInvitation", () => {
  it("an admin revokes a pending invitation: the link dies, the event is audited, a second revoke is refused", async () => {
    const team = await teamWith();
    const admin = await createUser();
    await joinTeam(team.teamId, admin.userId, "admin");
    const { token, invitation, email } = await invite(team, uniqueEmail(), "owner");

    expect(await revokeInvitation(team.teamId, { id: admin.userId }, invitation.id, meta)).toEqual({ ok: true, email });
    expect(await describeInvitation(token)).toMatchObject({ ok: false, message: INVALID_LINK });
    const [event] = await eventsOf(team.teamId, "invitation.revoked");
    expect(event).toMatchObject({ actorId: admin.userId, data: { invitationId: invitation.id, email, role: "owner" } });

    const before = await snapshot();
    expect(await revokeInvitation(team.teamId, team.actor, invitation.id, meta)).toMatchObject({ ok: false, code: "NOT_PENDING" });
    expect(await revokeInvitation(team.teamId, team.actor, "not-a-uuid", meta)).toMatchObject({ ok: false, code: "NOT_PENDING" });
    expect(await snapshot()).toEqual(before);
  });
});

describe("resendInvitation", () => {
  it("sends a new link valid 7 days from now; the old link dies", async () => {
    const team = await teamWith({ requireTwoFactor: true, allowedMethods: ["totp", "webauthn"], defaultMethod: "totp" });
    const admin = await createUser({ name: "Alan Turing" });
    await joinTeam(team.teamId, admin.userId, "admin");
    const { token, invitation, email } = await invite(team);
    await db().update(invitations).set({ expiresAt: sql`now() + interval '1 hour'` }).where(eq(invitations.id, invitation.id));

    const resent = await resendInvitation(team.teamId, { id: admin.userId }, invitation.id, meta);
    expect(resent).toMatchObject({ ok: true, invitation: { id: invitation.id, invitedByName: "Alan Turing" } });
    const fresh = await tokenSentTo(email);
    expect(fresh).not.toBe(token);
    expect(await describeInvitation(token)).toMatchObject({ ok: false, message: INVALID_LINK });
    expect(await describeInvitation(fresh)).toMatchObject({ ok: true, invitation: { inviterName: "Alan Turing" } });
    const row = await invitationRow(invitation.id);
    expect((row.expiresAt.getTime() - Date.now()) / 86_400_000).toBeCloseTo(7, 2);

    const [, event] = await eventsOf(team.teamId, "invitation.sent");
    expect(event).toMatchObject({ actorId: admin.userId, data: { invitationId: invitation.id, resent: true } });
    const mails = await outboxTo(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.text).toContain("requires two-factor authentication");
  });

  it("an admin cannot resend an owner invitation; a used one cannot be resent", async () => {
    const team = await teamWith();
    const admin = await createUser();
    await joinTeam(team.teamId, admin.userId, "admin");
    const owner = await invite(team, uniqueEmail(), "owner");
    const before = await snapshot();
    expect(await resendInvitation(team.teamId, { id: admin.userId }, owner.invitation.id, meta)).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
      message: INVITATION_MESSAGES.OWNER_ONLY,
    });
    expect(await snapshot()).toEqual(before);

    const invitee = await createUser({ email: owner.email });
    expect((await acceptInvitation(owner.token, { id: invitee.userId, email: invitee.email }, meta)).ok).toBe(true);
    expect(await resendInvitation(team.teamId, team.actor, owner.invitation.id, meta)).toMatchObject({ ok: false, code: "NOT_PENDING" });
  });
});

describe("describeInvitation", () => {
  it("describes a live link: team, inviter, email, role and the team's 2FA requirement", async () => {
    const team = await teamWith({ requireTwoFactor: true, graceDays: 7, allowedMethods: ["totp", "webauthn"], defaultMethod: "totp" });
    const { token, email } = await invite(team, uniqueEmail(), "admin");
    expect(await describeInvitation(token)).toMatchObject({
      ok: true,
      invitation: { teamId: team.teamId, teamName: team.teamName, inviterName: "Grace Hopper", email, role: "admin", requireTwoFactor: true, allowedMethods: ["totp", "webauthn"] },
    });
  });

  it("gives one generic answer for unknown, malformed, expired, used and revoked links", async () => {
    const team = await teamWith();
    const expired = await invite(team);
    await db().update(invitations).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(invitations.id, expired.invitation.id));
    const used = await invite(team);
    const user = await createUser({ email: used.email });
    await acceptInvitation(used.token, { id: user.userId, email: user.email }, meta);
    const revoked = await invite(team);
    await revokeInvitation(team.teamId, team.actor, revoked.invitation.id, meta);

    for (const token of ["", "x".repeat(43), "x".repeat(5000), expired.token, used.token, revoked.token]) {
      expect(await describeInvitation(token)).toEqual({ ok: false, code: "INVALID_LINK", message: "This invitation link is invalid or has expired." });
    }
  });
});

describe("acceptInvitation", () => {
  it("joins the invited account with the invited role, audits it, and changes nothing else", async () => {
    const team = await teamWith();
    const { token, email } = await invite(team, uniqueEmail("Mixed").toUpperCase(), "admin", PHONE);
    expect(email).toBe(email.toLowerCase());
    const user = await createUser({ email });
    const teamBefore = (await db().select().from(teams).where(eq(teams.id, team.teamId)))[0];

    const result = await acceptInvitation(token, { id: user.userId, email: user.email.toUpperCase() }, meta);
    expect(result).toEqual({ ok: true, teamId: team.teamId, teamName: team.teamName, role: "admin", alreadyMember: false, phone: PHONE });
    expect(await membershipOf(team.teamId, user.userId)).toMatchObject({ role: "admin" });
    expect(await membershipOf(user.teamId, user.userId)).toMatchObject({ role: "owner" }); // the personal team is untouched
    expect((await db().select().from(teams).where(eq(teams.id, team.teamId)))[0]).toEqual(teamBefore);

    const [event] = await eventsOf(team.teamId, "invitation.accepted");
    expect(event).toMatchObject({ userId: user.userId, teamId: team.teamId, ip: meta.ip, data: { role: "admin", invitedBy: team.owner.userId } });
    expect(await acceptInvitation(token, { id: user.userId, email: user.email }, meta)).toMatchObject({ ok: false, code: "INVALID_LINK", message: INVALID_LINK });
  });

  it("refuses another account, names the invited address, and leaves the link usable", async () => {
    const team = await teamWith();
    const { token, email } = await invite(team);
    const stranger = await createUser();
    const before = await snapshot();

    const refused = await acceptInvitation(token, { id: stranger.userId, email: stranger.email }, meta);
    expect(refused).toEqual({ ok: false, code: "WRONG_ACCOUNT", message: INVITATION_MESSAGES.WRONG_ACCOUNT(email) });
    expect(refused.ok ? "" : refused.message).toContain(email);
    expect(await snapshot()).toEqual(before);

    const invitee = await createUser({ email });
    expect((await acceptInvitation(token, { id: invitee.userId, email: invitee.email }, meta)).ok).toBe(true);
  });

  it("uses up the link of someone who is a member already, keeping their role", async () => {
    const team = await teamWith();
    const { token, email } = await invite(team, uniqueEmail(), "admin");
    const user = await createUser({ email });
    await joinTeam(team.teamId, user.userId, "member"); // joined another way meanwhile

    expect(await acceptInvitation(token, { id: user.userId, email }, meta)).toMatchObject({ ok: true, alreadyMember: true, role: "member" });
    expect(await membershipOf(team.teamId, user.userId)).toMatchObject({ role: "member" });
    expect(await describeInvitation(token)).toMatchObject({ ok: false });
  });

  it("refuses an expired link and changes nothing", async () => {
    const team = await teamWith();
    const { token, invitation, email } = await invite(team);
    const user = await createUser({ email });
    await db().update(invitations).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(invitations.id, invitation.id));
    const before = await snapshot();
    expect(await acceptInvitation(token, { id: user.userId, email }, meta)).toEqual({ ok: false, code: "INVALID_LINK", message: INVALID_LINK });
    expect(await snapshot()).toEqual(before);
    expect(await membershipOf(team.teamId, user.userId)).toBeNull();
  });

  it("of 20 concurrent accepts exactly one succeeds: one membership, one event", async () => {
    const team = await teamWith();
    const { token, email } = await invite(team);
    const user = await createUser({ email });
    const results = await Promise.all(Array.from({ length: 20 }, () => acceptInvitation(token, { id: user.userId, email }, meta)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "INVALID_LINK")).toBe(true);
    expect(await db().select().from(memberships).where(eq(memberships.teamId, team.teamId))).toHaveLength(2);
    expect(await eventsOf(team.teamId, "invitation.accepted")).toHaveLength(1);
  });
});
