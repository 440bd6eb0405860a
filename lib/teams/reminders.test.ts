import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, factors, outbox, rateLimits, teams, users, type FactorKind } from "@/lib/db/schema";
import { joinTeam, meta, outboxTo, uniqueEmail } from "@/tests/helpers";
import { REMINDER_LIMITS, REMINDER_MESSAGES, sendEnrollmentReminders } from "./reminders";

// Sends to these addresses fail, as a real provider's would.
const failing = vi.hoisted(() => new Set<string>());
vi.mock("@/lib/messaging", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/messaging")>();
  return {
    ...actual,
    send: async (message: Parameters<typeof actual.send>[0]) => {
      if (failing.has(message.to)) throw new Error("provider unavailable");
      return actual.send(message);
    },
  };
});

async function createUser(name: string, kinds: FactorKind[] = []) {
  const email = uniqueEmail();
  const [user] = await db().insert(users).values({ name, email, passwordHash: "scrypt$unused" }).returning({ id: users.id });
  if (kinds.length > 0) await db().insert(factors).values(kinds.map((kind, i) => ({ userId: user!.id, kind, label: kind, isDefault: i === 0 })));
  return { userId: user!.id, name, email };
}

/** Acme (saved policy: app, key or email; SMS a backup only): an owner and an admin with factors, and members. */
async function acme(policy: Partial<typeof teams.$inferInsert> = {}) {
  const [team] = await db()
    .insert(teams)
    .values({ name: "Acme", allowedMethods: ["totp", "webauthn", "email", "sms"], smsBackupOnly: true, defaultMethod: "totp", ...policy })
    .returning({ id: teams.id });
  const teamId = team!.id;
  const owner = await createUser("Olive Owner", ["totp"]);
  const admin = await createUser("Adam Admin", ["webauthn"]);
  const none = await createUser("Nina None");
  const smsOnly = await createUser("Sam Sms", ["sms"]);
  const app = await createUser("Ada App", ["totp"]);
  const emailOnly = await createUser("Eve Email", ["email"]);
  await joinTeam(teamId, owner.userId, "owner");
  await joinTeam(teamId, admin.userId, "admin");
  for (const m of [none, smsOnly, app, emailOnly]) await joinTeam(teamId, m.userId, "member");
  return { teamId, owner, admin, none, smsOnly, app, emailOnly };
}

const reminded = async (teamId: string) =>
  db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "member.reminded")));
const reminders = async (email: string) => (await outboxTo(email)).filter((m) => m.subject === "Acme asks you to set up two-factor authentication");
const allMail = async () => (await db().select({ id: outbox.id }).from(outbox)).length;
const limitRows = async () => (await db().select().from(rateLimits)).length;

async function expectRefused(teamId: string, act: () => ReturnType<typeof sendEnrollmentReminders>, expected: { code: string; message: string | RegExp }) {
  const before = { mail: await allMail(), events: (await reminded(teamId)).length };
  const result = await act();
  expect(result).toMatchObject({ ok: false, code: expected.code, message: expected.message });
  expect({ mail: await allMail(), events: (await reminded(teamId)).length }).toEqual(before);
}

describe("sendEnrollmentReminders", () => {
  it("emails members with no factor the saved policy accepts: which team asks, which methods, where to set it up; one audit event", async () => {
    const { teamId, admin, none, smsOnly, app, emailOnly, owner } = await acme();

    expect(await sendEnrollmentReminders(teamId, { id: admin.userId }, meta)).toEqual({ ok: true, sent: 2 });

    for (const person of [none, smsOnly]) expect(await reminders(person.email)).toHaveLength(1);
    for (const person of [app, emailOnly, owner, admin]) expect(await reminders(person.email)).toHaveLength(0);
    const [mail] = await reminders(smsOnly.email);
    expect(mail!.text).toContain("Hi Sam Sms,");
    expect(mail!.text).toContain("Adam Admin, an admin of Acme, asks you to set up two-factor authentication");
    expect(mail!.text).toContain("Acme accepts: authenticator app, security key or passkey and email code.");
    expect(mail!.text).toContain("Text messages (SMS) count as a backup only");
    expect(mail!.text).toContain("http://localhost:3000/setup-2fa");

    const events = await reminded(teamId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: admin.userId, userId: null, data: { count: 2 }, ip: meta.ip });
  });

  it("says the team requires it when it does", async () => {
    const { teamId, owner, none } = await acme({ requireTwoFactor: true });
    await sendEnrollmentReminders(teamId, { id: owner.userId }, meta);
    expect((await reminders(none.email))[0]!.text).toContain("an owner of Acme, asks you to set up two-factor authentication on your Tessera account: the team requires it.");
  });

  it("a policy preview decides who lacks an accepted factor, and the email lists its methods", async () => {
    const { teamId, owner, none, smsOnly, app, emailOnly } = await acme();
    const result = await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { policy: { allowedMethods: ["webauthn", "sms"], smsBackupOnly: false } });
    expect(result).toEqual({ ok: true, sent: 4 });
    for (const person of [none, app, emailOnly, owner]) expect(await reminders(person.email)).toHaveLength(1);
    expect(await reminders(smsOnly.email)).toHaveLength(0);
    const text = (await reminders(app.email))[0]!.text;
    expect(text).toContain("Acme accepts: text message (SMS) and security key or passkey.");
    expect(text).not.toContain("backup only");
    expect(text).not.toContain("requires");
  });

  it("limited to userIds: members of the team without an accepted factor among them; others and junk ids are ignored", async () => {
    const { teamId, owner, none, smsOnly, app } = await acme();
    const outsider = await createUser("Otto Outsider");
    const result = await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [none.userId, app.userId, outsider.userId, "not-a-uuid"] });
    expect(result).toEqual({ ok: true, sent: 1 });
    expect(await reminders(none.email)).toHaveLength(1);
    for (const person of [smsOnly, app, outsider]) expect(await reminders(person.email)).toHaveLength(0);
    expect((await reminded(teamId))[0]).toMatchObject({ data: { count: 1 } });
  });

  it("a reminder to one member names them in the audit event", async () => {
    const { teamId, owner, none } = await acme();
    expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [none.userId] })).toEqual({ ok: true, sent: 1 });
    expect((await reminded(teamId))[0]).toMatchObject({ userId: none.userId, data: { count: 1 } });
  });

  it("nothing to send: everyone selected has an accepted factor (or the list is empty)", async () => {
    const { teamId, owner, app } = await acme();
    for (const userIds of [[app.userId], [], ["junk"]]) {
      await expectRefused(teamId, () => sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds }), { code: "NOTHING_TO_SEND", message: REMINDER_MESSAGES.NOTHING_TO_SEND });
    }
    const full = await acme({ allowedMethods: ["totp", "webauthn", "email", "sms"], smsBackupOnly: false });
    await db().insert(factors).values({ userId: full.none.userId, kind: "email", label: "Email" });
    await expectRefused(full.teamId, () => sendEnrollmentReminders(full.teamId, { id: full.owner.userId }, meta), { code: "NOTHING_TO_SEND", message: REMINDER_MESSAGES.NOTHING_TO_SEND });
  });

  it("a member gets one reminder per team a day; those skipped are not counted as sent", async () => {
    const { teamId, owner, admin, none, smsOnly } = await acme();
    expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [none.userId] })).toEqual({ ok: true, sent: 1 });
    await expectRefused(teamId, () => sendEnrollmentReminders(teamId, { id: admin.userId }, meta, { userIds: [none.userId] }), {
      code: "RATE_LIMITED",
      message: /^Nina None was already reminded in the last 24 hours\. Try again in (1 day|23 hours 59 minutes)\.$/,
    });

    expect(await sendEnrollmentReminders(teamId, { id: admin.userId }, meta)).toEqual({ ok: true, sent: 1 });
    expect(await reminders(none.email)).toHaveLength(1);
    expect(await reminders(smsOnly.email)).toHaveLength(1);
    expect((await reminded(teamId)).map((e) => e.data)).toEqual([{ count: 1 }, { count: 1, skipped: 1 }]);

    await expectRefused(teamId, () => sendEnrollmentReminders(teamId, { id: admin.userId }, meta), { code: "RATE_LIMITED", message: /^Everyone selected was already reminded/ });

    // The day is per team: the same person in another team can be reminded by it.
    const [other] = await db().insert(teams).values({ name: "Beta" }).returning({ id: teams.id });
    await joinTeam(other!.id, owner.userId, "owner");
    await joinTeam(other!.id, none.userId, "member");
    expect(await sendEnrollmentReminders(other!.id, { id: owner.userId }, meta, { userIds: [none.userId] })).toEqual({ ok: true, sent: 1 });
  });

  it("a team sends at most 5 bulk reminders an hour; reminders to one member are not bulk", async () => {
    const { teamId, owner } = await acme();
    const extra: { userId: string }[] = [];
    for (let i = 0; i < 14; i += 1) {
      const person = await createUser(`Extra ${i}`);
      await joinTeam(teamId, person.userId, "member");
      extra.push(person);
    }
    for (let i = 0; i < REMINDER_LIMITS.perTeam.limit; i += 1) {
      expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [extra[2 * i]!.userId, extra[2 * i + 1]!.userId] })).toEqual({ ok: true, sent: 2 });
    }
    await expectRefused(teamId, () => sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [extra[10]!.userId, extra[11]!.userId] }), {
      code: "RATE_LIMITED",
      message: /^This team has sent 5 reminders in the last hour\. Try again in (1 hour|59 minutes)\.$/,
    });
    expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [extra[12]!.userId] })).toEqual({ ok: true, sent: 1 });

    // An hour later the team may send again.
    await db().update(rateLimits).set({ resetAt: sql`now() - interval '1 second'` }).where(eq(rateLimits.key, `reminder:team:${teamId}`));
    expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [extra[10]!.userId, extra[11]!.userId] })).toEqual({ ok: true, sent: 2 });
  });

  it("members, outsiders and admins of another team are refused: nothing sent, nothing counted", async () => {
    const { teamId, app, none } = await acme();
    const other = await acme();
    for (const actor of [app, none, other.admin, other.owner]) {
      const limits = await limitRows();
      await expectRefused(teamId, () => sendEnrollmentReminders(teamId, { id: actor.userId }, meta), { code: "FORBIDDEN", message: REMINDER_MESSAGES.FORBIDDEN });
      expect(await limitRows()).toBe(limits);
    }
    await expectRefused(teamId, () => sendEnrollmentReminders("00000000-0000-4000-8000-000000000000", { id: other.owner.userId }, meta), {
      code: "FORBIDDEN",
      message: REMINDER_MESSAGES.FORBIDDEN,
    });
  });

  it("an email that fails is not counted and frees the member for another try; when none goes out, it throws", async () => {
    const { teamId, owner, none, smsOnly } = await acme();
    failing.add(none.email);
    try {
      expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta)).toEqual({ ok: true, sent: 1 });
      expect((await reminded(teamId))[0]).toMatchObject({ data: { count: 1, failed: 1 } });
      await expect(sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [none.userId] })).rejects.toThrow("Reminder emails could not be sent.");
    } finally {
      failing.delete(none.email);
    }
    expect(await sendEnrollmentReminders(teamId, { id: owner.userId }, meta, { userIds: [none.userId] })).toEqual({ ok: true, sent: 1 });
    expect(await reminders(none.email)).toHaveLength(1);
    expect(await reminders(smsOnly.email)).toHaveLength(1);
  });
});
