import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { auditEvents, teams } from "@/lib/db/schema";
import { addTotpFactor, createUser, meta, OPEN_POLICY } from "@/tests/helpers";

// The Team → Security action, as the form posts it: signed in as the team's owner.
const signedIn = vi.hoisted(() => ({ user: null as null | { id: string; name: string; email: string; sessionId: string } }));
vi.mock("@/lib/auth/current-user", () => ({ currentUser: async () => signedIn.user, requestPath: async () => "/team/security" }));
vi.mock("@/lib/auth/request-meta", () => ({ requestMeta: async () => ({ ip: "203.0.113.7", userAgent: "test" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { getTeamPolicy, updateTeamPolicy } = await import("./policy");
const { savePolicyAction } = await import("@/app/(dashboard)/team/security/actions");
const { createSession } = await import("@/lib/auth/sessions");

const teamRow = async (teamId: string) => (await db().select().from(teams).where(eq(teams.id, teamId)))[0]!;
const policyEvents = (teamId: string) => db().select().from(auditEvents).where(and(eq(auditEvents.teamId, teamId), eq(auditEvents.type, "policy.changed")));

function policyForm(teamId: string, fields: Record<string, string>) {
  const form = new FormData();
  form.set("teamId", teamId);
  for (const kind of OPEN_POLICY.allowedMethods as string[]) form.append("allowedMethods", kind);
  form.set("graceDays", "0");
  form.set("defaultMethod", "totp");
  form.set("rememberDeviceDays", "30");
  form.set("sessionIdleMinutes", "60");
  form.set("sessionMaxHours", "24");
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  return form;
}

describe("Team → Security: session limits (NIST SP 800-63B AAL2)", () => {
  it("saves a shorter idle timeout and lifetime, and audits the change with a from/to diff", async () => {
    const owner = await createUser();
    expect(await getTeamPolicy(owner.teamId)).toMatchObject({ sessionIdleMinutes: 60, sessionMaxHours: 24 });
    const result = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, sessionIdleMinutes: 15, sessionMaxHours: 4 }, meta);
    expect(result).toMatchObject({ ok: true, policy: { sessionIdleMinutes: 15, sessionMaxHours: 4 } });
    const [event] = await policyEvents(owner.teamId);
    expect(event!.data).toMatchObject({ changed: { sessionIdleMinutes: { from: 60, to: 15 }, sessionMaxHours: { from: 24, to: 4 } } });
  });

  const refused: [string, Record<string, unknown>, string, string][] = [
    ["14 minutes idle", { sessionIdleMinutes: 14 }, "sessionIdleMinutes", "Choose to sign out after 15, 30 or 60 minutes without activity."],
    ["2 hours idle", { sessionIdleMinutes: 120 }, "sessionIdleMinutes", "Choose to sign out after 15, 30 or 60 minutes without activity."],
    ["a 25-hour lifetime", { sessionMaxHours: 25 }, "sessionMaxHours", "Choose to sign in again every 1, 4, 8, 12 or 24 hours."],
    ["a 0-hour lifetime", { sessionMaxHours: 0 }, "sessionMaxHours", "Choose to sign in again every 1, 4, 8, 12 or 24 hours."],
    ["a lifetime that is not a number", { sessionMaxHours: Number.NaN }, "sessionMaxHours", "Choose to sign in again every 1, 4, 8, 12 or 24 hours."],
  ];
  it.each(refused)("refuses %s with a field message and changes nothing", async (_name, change, field, message) => {
    const owner = await createUser();
    const before = await teamRow(owner.teamId);
    const result = await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, ...change }, meta);
    expect(result).toMatchObject({ ok: false, code: "INVALID", message });
    if (!result.ok && result.code === "INVALID") expect(result.fieldErrors[field]).toEqual([message]);
    expect(await teamRow(owner.teamId)).toEqual(before);
    expect(await policyEvents(owner.teamId)).toHaveLength(0);
  });

  it("a save that does not mention them keeps the saved values", async () => {
    const owner = await createUser();
    await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, sessionIdleMinutes: 30, sessionMaxHours: 12 }, meta);
    expect(await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, rememberDeviceDays: 7 }, meta)).toMatchObject({
      ok: true,
      policy: { sessionIdleMinutes: 30, sessionMaxHours: 12, rememberDeviceDays: 7 },
    });
    const events = await policyEvents(owner.teamId);
    expect(events[1]!.data).toEqual({ changed: { rememberDeviceDays: { from: 30, to: 7 } } });
  });

  it("the form: 14 minutes comes back as a message on that field, and nothing is saved", async () => {
    const owner = await createUser();
    // Team changes need a fresh second factor of the owner's own: a session that just passed one.
    await addTotpFactor(owner.userId);
    const sessionId = await createSession(db(), { userId: owner.userId, stepUp: new Date(), ...meta });
    signedIn.user = { id: owner.userId, name: owner.name, email: owner.email, sessionId };
    const before = await teamRow(owner.teamId);
    const state = await savePolicyAction({}, policyForm(owner.teamId, { sessionIdleMinutes: "14" }));
    expect(state.ok).toBeFalsy();
    expect(state.fieldErrors?.sessionIdleMinutes).toEqual(["Choose to sign out after 15, 30 or 60 minutes without activity."]);
    expect(await teamRow(owner.teamId)).toEqual(before);

    const saved = await savePolicyAction({}, policyForm(owner.teamId, { sessionIdleMinutes: "30", sessionMaxHours: "8" }));
    expect(saved).toMatchObject({ ok: true, data: { policy: { sessionIdleMinutes: 30, sessionMaxHours: 8 } } });
    expect(await teamRow(owner.teamId)).toMatchObject({ sessionIdleMinutes: 30, sessionMaxHours: 8 });
  });
});
