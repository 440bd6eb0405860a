"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction, refusalState, teamStepUpAnswer, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { roleEnum } from "@/lib/db/schema";
import { changeRole, removeMember } from "@/lib/teams/membership";
import { sendEnrollmentReminders } from "@/lib/teams/reminders";
import { resetMemberTwoFactor, withdrawMemberReset } from "@/lib/teams/reset-member";
import { isTeamManager } from "@/lib/teams/roles";
import { log } from "@/lib/log";

const PAGE = "/team/members";
// Every action names its team: the lib function checks the actor's role in that team again.
const team = z.object({ teamId: z.uuid("Reload the page and try again.") });
const member = team.extend({ userId: z.uuid("Choose a member.") });

/** `message` for the team-wide reminder; the row menu words its own from the flags. */
export type MemberActionData = { message: string; changed?: boolean; emailed?: boolean; sent?: number; ready?: boolean };
type Result = ActionState<MemberActionData>;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

async function remind(teamId: string, user: { id: string }, userIds?: string[]): Promise<Result> {
  try {
    const result = await sendEnrollmentReminders(teamId, user, await requestMeta(), userIds ? { userIds } : {});
    if (!result.ok) return refusalState(result);
    revalidatePath(PAGE);
    return { ok: true, data: { message: `Reminder sent to ${plural(result.sent, "member", "members")}.`, sent: result.sent } };
  } catch (error) {
    log.error("teams.reminders_failed", { teamId }, error);
    return { error: "The reminder could not be sent. Try again in a few minutes." };
  }
}

export const sendReminderAction = formAction({ auth: "user", schema: member }, async ({ teamId, userId }, user): Promise<Result> => remind(teamId, user, [userId]));

export const remindAllAction = formAction({ auth: "user", schema: team }, async ({ teamId }, user): Promise<Result> => remind(teamId, user));

export const resetTwoFactorAction = formAction({ auth: "teamStepUp", schema: member }, async ({ teamId, userId }, user): Promise<Result> => {
  const result = await resetMemberTwoFactor(teamId, user, userId, await requestMeta());
  if (!result.ok) return refusalState(result);
  revalidatePath(PAGE);
  return { ok: true, data: { emailed: result.emailed, ready: result.ready, message: result.ready ? "Reset requested." : result.message } };
});

// Withdrawing only gives protection back: no step-up needed.
export const withdrawResetAction = formAction({ auth: "user", schema: member }, async ({ teamId, userId }, user): Promise<Result> => {
  const result = await withdrawMemberReset(teamId, user, userId, await requestMeta());
  if (!result.ok) return refusalState(result);
  revalidatePath(PAGE);
  return { ok: true, data: { message: "Reset request withdrawn." } };
});

/** Roles and removals are team-wide changes: a fresh second factor of the owner's own first. */
export const changeRoleAction = formAction(
  { auth: "teamStepUp", schema: member.extend({ role: z.enum(roleEnum.enumValues, { error: "Choose owner, admin or member." }) }) },
  async ({ teamId, userId, role }, user): Promise<Result> => {
    const result = await changeRole(teamId, user, userId, role, await requestMeta());
    if (!result.ok) return refusalState(result);
    await leaveIfNoLongerAdmin(teamId, user.id);
    revalidatePath(PAGE);
    return { ok: true, data: { changed: result.changed, message: result.changed ? "Role changed." : "That was already their role." } };
  },
);

export const removeMemberAction = formAction({ auth: "user", schema: member }, async ({ teamId, userId }, user): Promise<Result> => {
  // Leaving a team yourself takes only your own access away: no step-up for that.
  const refused = userId === user.id ? null : await teamStepUpAnswer(user);
  if (refused) return refused;
  const result = await removeMember(teamId, user, userId, await requestMeta());
  if (!result.ok) return refusalState(result);
  await leaveIfNoLongerAdmin(teamId, user.id);
  revalidatePath(PAGE);
  return { ok: true, data: { message: "Member removed." } };
});

/** After stepping down or leaving, the team pages are no longer this person's to see. */
async function leaveIfNoLongerAdmin(teamId: string, userId: string) {
  if (!(await isTeamManager(teamId, userId))) redirect("/dashboard");
}
