"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { checkboxField, teamIdField } from "@/lib/auth/input";
import { requestMeta } from "@/lib/auth/request-meta";
import { resumeSms, updateSmsSettings, type SmsSettingsValues } from "@/lib/teams/sms-settings";


// The shape only, with sizes bounded; which codes are countries is updateSmsSettings' to say.
const settingsForm = z.object({
  teamId: teamIdField,
  // One field, comma-separated: an empty list is then an empty field, not a missing one.
  countries: z
    .string({ error: "Choose countries from the list." })
    .max(2000, { error: "Choose at most 300 countries." })
    .transform((value) => value.split(",").filter((code) => code.trim() !== "")),
  voipMembers: checkboxField,
  voipApi: checkboxField,
  version: z.string({ error: "Reload the page and make your change again." }).max(100, { error: "Reload the page and make your change again." }),
});

/** Saves where the team's SMS and voice may go, after a fresh second factor of the owner's own. */
export const saveSmsSettingsAction = formAction(
  { auth: "teamStepUp", schema: settingsForm },
  async ({ teamId, ...input }, user): Promise<ActionState<{ settings: SmsSettingsValues; changed: boolean }>> => {
    const result = await updateSmsSettings(teamId, user, input, await requestMeta());
    if (!result.ok) return result.code === "INVALID" ? { error: result.message, fieldErrors: result.fieldErrors } : refusalState(result);
    revalidatePath("/team/sms");
    const { countries, voipMembers, voipApi, version } = result.settings;
    return { ok: true, data: { settings: { countries, voipMembers, voipApi, version }, changed: result.change !== null } };
  },
);

/** Ends a pause the anomaly rule set, after a fresh second factor of the owner's own. */
export const resumeSmsAction = formAction({ auth: "teamStepUp", schema: z.object({ teamId: teamIdField }) }, async ({ teamId }, user): Promise<ActionState> => {
  const result = await resumeSms(teamId, user, await requestMeta());
  if (!result.ok) return refusalState(result);
  revalidatePath("/team/sms");
  return { ok: true };
});
