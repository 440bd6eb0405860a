import { describe, expect, it } from "vitest";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { verifyChallenge } from "@/lib/auth/second-factor";
import { passwordStep } from "@/lib/auth/sign-in";
import { stepUp } from "@/lib/auth/step-up";
import { removeFactor } from "@/lib/factors/manage";
import { updateTeamPolicy } from "@/lib/teams/policy";
import { addEmailFactor, addTotpFactor, createSignedInUser, createUser, joinTeam, OPEN_POLICY, PASSWORD, totpCode } from "@/tests/helpers";
import { startTeamAuditExport } from "./export";
import { listTeamEvents } from "./team-log";

// Where the victim really is: what no team they join may learn.
const VICTIM = { ip: "192.0.2.77", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) VictimBrowser/9.9" };
const ADMIN = { ip: "203.0.113.200", userAgent: "Mozilla/5.0 (X11; Linux x86_64) AdminBrowser/1.0" };

async function csv(adminId: string, teamId: string): Promise<string> {
  const result = await startTeamAuditExport({ user: { id: adminId }, path: "/team/audit/export", teamId });
  if (!result.ok) throw new Error(result.message);
  return new TextDecoder().decode(await new Response(result.body).arrayBuffer());
}

describe("the team audit log does not track where members sign in", () => {
  it("an attacker who owns a team the victim joined sees that 2FA was passed and when — never the victim's IP, browser or factor names", async () => {
    const attacker = await createUser({ name: "Mallory" });
    const victim = await createSignedInUser();
    await joinTeam(attacker.teamId, victim.userId, "member");

    // The victim's life after joining: a factor, a wrong password, a sign-in with the app, a step-up, a factor removed.
    const { secret } = await addTotpFactor(victim.userId, "Anna's iPhone in Lisbon");
    const email = await addEmailFactor(victim.userId);
    expect((await passwordStep({ email: victim.email, password: "wrong password entirely" }, VICTIM)).ok).toBe(false);
    const step = await passwordStep({ email: victim.email, password: PASSWORD }, VICTIM);
    if (!step.ok) throw new Error(step.message);
    expect((await verifyChallenge(step.challengeToken, { method: "totp", code: await totpCode(secret) }, { remember: true }, VICTIM)).ok).toBe(true);
    const session = await exchangeChallenge(step.challengeToken, VICTIM);
    expect(session).not.toBeNull();
    expect((await stepUp({ id: victim.userId, sessionId: session!.sessionId }, { method: "totp", code: await totpCode(secret, 1) }, VICTIM)).ok).toBe(true);
    expect((await removeFactor({ id: victim.userId, sessionId: session!.sessionId }, email.factorId, VICTIM)).ok).toBe(true);

    const { events } = await listTeamEvents(attacker.teamId, { userId: victim.userId });
    const shown = JSON.stringify(events);
    const file = await csv(attacker.userId, attacker.teamId);
    for (const secretThing of [VICTIM.ip, VICTIM.userAgent, "VictimBrowser", "Safari on macOS", "Lisbon"]) {
      expect(shown).not.toContain(secretThing);
      expect(file).not.toContain(secretThing);
    }
    // What the admin legitimately needs still shows: the 2FA changes by kind, and the sign-in that passed 2FA.
    // (Events of one transaction share a timestamp, so their order among themselves is the id's.)
    expect(events.map((e) => `${e.type} ${e.details}`).sort()).toEqual(
      ["factor.removed Method: Email code", "sign_in.succeeded ", "factor.added Method: Email code", "factor.added Method: Authenticator app", "two_factor.enabled "].sort(),
    );
    expect(events.find((e) => e.type === "sign_in.succeeded")).toMatchObject({ description: "Passed two-factor authentication at sign-in", ip: null, userAgent: null, device: null });
    expect(file).toContain("Passed two-factor authentication at sign-in");
    // Failed passwords, step-ups and remembered devices are the member's own business.
    for (const hidden of ["sign_in.password_failed", "step_up.verified", "trusted_device.added"]) expect(file).not.toContain(hidden);
  });

  it("an admin's own action inside the team keeps the admin's IP and device", async () => {
    const owner = await createSignedInUser();
    await addTotpFactor(owner.userId);
    expect((await updateTeamPolicy(owner.teamId, { id: owner.userId }, { ...OPEN_POLICY, graceDays: 7 }, ADMIN)).ok).toBe(true);
    const { events } = await listTeamEvents(owner.teamId, { type: "policy.changed" });
    expect(events[0]).toMatchObject({ ip: ADMIN.ip, userAgent: ADMIN.userAgent });
  });
});
