"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { checkboxField, teamIdField } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { factorKindEnum, type FactorKind } from "@/lib/db/schema";
import { updateTeamPolicy } from "@/lib/teams/policy";
import { previewAffectedMembers } from "@/lib/teams/policy-preview";
import { sendEnrollmentReminders } from "@/lib/teams/reminders";
import { log } from "@/lib/log";

/** The policy as the form edits it (the saved policy minus when the requirement started). */
export type PolicyValues = {
  requireTwoFactor: boolean;
  graceDays: number;
  allowedMethods: FactorKind[];
  smsBackupOnly: boolean;
  defaultMethod: FactorKind;
  rememberDeviceDays: number;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
};

export type AffectedMembers = { total: number; members: { userId: string; name: string }[] };

// Only the shape is settled here, with sizes bounded: values that are missing or out of
// range go through to updateTeamPolicy, whose messages are the ones the page shows (one set of
// rules, one wording).
const whole = z
  .string()
  .max(10)
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : Number(value)));

const policyForm = z.object({
  teamId: teamIdField,
  requireTwoFactor: checkboxField,
  graceDays: whole,
  // Several checkboxes share the name: one ticked arrives as a string, more as an array.
  allowedMethods: z
    .union([z.string().max(20), z.array(z.string().max(20)).max(10)], { error: "Choose methods from the list." })
    .optional()
    .transform((value) => (value === undefined ? [] : [value].flat())),
  smsBackupOnly: checkboxField,
  defaultMethod: z.string().max(20).optional(),
  rememberDeviceDays: whole,
  sessionIdleMinutes: whole,
  sessionMaxHours: whole,
});

/**
 * Saves the team's 2FA policy after a fresh second factor — every change, not only the
 * loosening ones (why: docs/ARCHITECTURE.md); a refused policy comes back with a message per field.
 */
export const savePolicyAction = formAction(
  { auth: "teamStepUp", schema: policyForm },
  async ({ teamId, ...input }, user): Promise<ActionState<{ policy: PolicyValues }>> => {
    const result = await updateTeamPolicy(teamId, user, input, await requestMeta());
    if (!result.ok) return result.code === "INVALID" ? { error: result.message, fieldErrors: result.fieldErrors } : refusalState(result);
    revalidatePath("/team/security");
    revalidatePath("/dashboard");
    const { requireTwoFactor, graceDays, allowedMethods, smsBackupOnly, defaultMethod, rememberDeviceDays, sessionIdleMinutes, sessionMaxHours } = result.policy;
    return {
      ok: true,
      data: { policy: { requireTwoFactor, graceDays, allowedMethods, smsBackupOnly, defaultMethod, rememberDeviceDays, sessionIdleMinutes, sessionMaxHours } },
    };
  },
);

/** A policy being edited, sent as form fields: the methods comma-separated, so one field carries them all. */
const editedPolicy = z.object({
  teamId: teamIdField,
  allowedMethods: z
    .string()
    .max(100)
    .transform((value) => value.split(",").filter(Boolean))
    .pipe(z.array(z.enum(factorKindEnum.enumValues, { error: "Choose methods from the list." }))),
  smsBackupOnly: z.enum(["true", "false"]).transform((value) => value === "true"),
});

/** Who the edited policy would stop, for the live preview while the admin edits. */
export const previewPolicyAction = formAction(
  { auth: "user", schema: editedPolicy },
  async ({ teamId, allowedMethods, smsBackupOnly }, user): Promise<ActionState<AffectedMembers>> => {
    const result = await previewAffectedMembers(teamId, user, { allowedMethods, smsBackupOnly });
    if (!result.ok) return refusalState(result);
    return { ok: true, data: { total: result.total, members: result.members.map(({ userId, name, email }) => ({ userId, name: name || email })) } };
  },
);

/** Emails the members the edited policy would stop, asking them to set up an accepted factor. */
export const sendRemindersAction = formAction(
  { auth: "user", schema: editedPolicy },
  async ({ teamId, allowedMethods, smsBackupOnly }, user): Promise<ActionState<{ sent: number }>> => {
    try {
      const result = await sendEnrollmentReminders(teamId, user, await requestMeta(), { policy: { allowedMethods, smsBackupOnly } });
      return result.ok ? { ok: true, data: { sent: result.sent } } : refusalState(result);
    } catch (error) {
      // Every email failed (the provider is down): an answer for the admin, not a broken page.
      log.error("teams.reminders_failed", { teamId }, error);
      return { error: "The reminder emails could not be sent. Try again in a few minutes." };
    }
  },
);
