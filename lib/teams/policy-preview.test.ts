import { describe, expect, it } from "vitest";
import type { FactorKind } from "@/lib/db/schema";
import { addFactorRow, ALL_KINDS, createUser, joinTeam, meta, OPEN_POLICY } from "@/tests/helpers";
import { getTeamPolicy, updateTeamPolicy, type PolicyInput } from "./policy";
import { membersMissingPhone, needsPhoneNumbers, previewAffectedMembers } from "./policy-preview";

async function setPolicy(teamId: string, ownerId: string, policy: Partial<PolicyInput>) {
  const result = await updateTeamPolicy(teamId, { id: ownerId }, { ...OPEN_POLICY, ...policy }, meta);
  if (!result.ok) throw new Error(result.message);
}

/** The owner (with an app), and members with email only, SMS only, and nothing. */
async function team() {
  const owner = await createUser({ name: "Olga Owner" });
  await addFactorRow(owner.userId, "totp");
  const emailOnly = await createUser({ name: "Edith Email" });
  const smsOnly = await createUser({ name: "Sam Sms" });
  const nothing = await createUser({ name: "Nora None" });
  await addFactorRow(emailOnly.userId, "email");
  await addFactorRow(smsOnly.userId, "sms", "+14155552671");
  for (const u of [emailOnly, smsOnly, nothing]) await joinTeam(owner.teamId, u.userId);
  return { owner, teamId: owner.teamId, emailOnly, smsOnly, nothing };
}

const names = (result: Awaited<ReturnType<typeof previewAffectedMembers>>) => (result.ok ? result.members.map((m) => m.name) : null);

describe("previewAffectedMembers", () => {
  it("reflects a policy that is not saved, and saves nothing", async () => {
    const { owner, teamId } = await team();
    const before = await getTeamPolicy(teamId);

    const saved = await previewAffectedMembers(teamId, { id: owner.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false });
    expect(saved).toMatchObject({ ok: true, total: 1 });
    expect(names(saved)).toEqual(["Nora None"]);

    const strong = await previewAffectedMembers(teamId, { id: owner.userId }, { allowedMethods: ["totp", "webauthn"], smsBackupOnly: false });
    expect(strong).toMatchObject({ ok: true, total: 3 });
    expect(names(strong)).toEqual(["Edith Email", "Nora None", "Sam Sms"]);

    const backupOnly = await previewAffectedMembers(teamId, { id: owner.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: true });
    expect(names(backupOnly)).toEqual(["Nora None", "Sam Sms"]);

    expect(await getTeamPolicy(teamId)).toEqual(before);
  });

  it("counts everyone but lists at most `limit` names", async () => {
    const { owner, teamId } = await team();
    const result = await previewAffectedMembers(teamId, { id: owner.userId }, { allowedMethods: ["webauthn"], smsBackupOnly: false }, { limit: 2 });
    expect(result).toMatchObject({ ok: true, total: 4 });
    expect(names(result)).toEqual(["Edith Email", "Nora None"]);
  });

  it("ignores kinds it does not know instead of failing on them", async () => {
    const { owner, teamId } = await team();
    const result = await previewAffectedMembers(teamId, { id: owner.userId }, { allowedMethods: ["totp", "pigeon" as FactorKind], smsBackupOnly: false });
    expect(result).toMatchObject({ ok: true, total: 3 });
  });

  it("is open to an admin of the team", async () => {
    const { teamId } = await team();
    const admin = await createUser({ name: "Ann Admin" });
    await joinTeam(teamId, admin.userId, "admin");
    const result = await previewAffectedMembers(teamId, { id: admin.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false });
    expect(names(result)).toEqual(["Ann Admin", "Nora None"]);
  });

  it("refuses a member of the team", async () => {
    const { teamId, nothing } = await team();
    expect(await previewAffectedMembers(teamId, { id: nothing.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false })).toEqual({
      ok: false,
      code: "FORBIDDEN",
      message: "Only an owner or admin of this team can do that.",
    });
  });

  it("refuses an admin of another team, and anyone for a team that does not exist", async () => {
    const { teamId } = await team();
    const other = await createUser();
    const admin = await createUser();
    await joinTeam(other.teamId, admin.userId, "admin");
    expect(await previewAffectedMembers(teamId, { id: admin.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(await previewAffectedMembers(teamId, { id: other.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false })).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect(
      await previewAffectedMembers("00000000-0000-4000-8000-000000000000", { id: other.userId }, { allowedMethods: ALL_KINDS, smsBackupOnly: false }),
    ).toMatchObject({ ok: false, code: "FORBIDDEN" });
  });
});

describe("phone numbers", () => {
  it("are needed while SMS is allowed as a primary method (or is the only method)", () => {
    const policy = (requireTwoFactor: boolean, allowedMethods: FactorKind[], smsBackupOnly: boolean) => ({ requireTwoFactor, allowedMethods, smsBackupOnly });
    expect(needsPhoneNumbers(policy(false, ALL_KINDS, false))).toBe(true);
    expect(needsPhoneNumbers(policy(false, ALL_KINDS, true))).toBe(false);
    expect(needsPhoneNumbers(policy(true, ALL_KINDS, true))).toBe(false);
    expect(needsPhoneNumbers(policy(true, ["totp", "email"], false))).toBe(false);
    expect(needsPhoneNumbers(policy(false, ["sms"], false))).toBe(true);
  });

  it("lists the members without one under the saved policy, or nothing when the policy needs none", async () => {
    const { owner, teamId } = await team();
    // New teams allow SMS as a backup only: nobody needs a number yet.
    expect(await membersMissingPhone(teamId)).toBeNull();

    await setPolicy(teamId, owner.userId, { smsBackupOnly: false });
    const missing = await membersMissingPhone(teamId);
    expect(missing).toMatchObject({ total: 3, smsPrimary: true });
    expect(missing?.members.map((m) => m.name)).toEqual(["Edith Email", "Nora None", "Olga Owner"]);

    await setPolicy(teamId, owner.userId, { smsBackupOnly: true, requireTwoFactor: true, graceDays: 7 });
    expect(await membersMissingPhone(teamId)).toBeNull();

    await setPolicy(teamId, owner.userId, { allowedMethods: ["sms"], defaultMethod: "sms", smsBackupOnly: false });
    expect(await membersMissingPhone(teamId, { limit: 1 })).toMatchObject({ total: 3, members: [{ name: "Edith Email" }] });

    await setPolicy(teamId, owner.userId, { requireTwoFactor: true, allowedMethods: ["totp", "email"] });
    expect(await membersMissingPhone(teamId)).toBeNull();
  });
});
