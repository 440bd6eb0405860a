"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { addCredits, CREDIT_MESSAGES } from "@/lib/teams/credits";

const topUp = z.object({
  teamId: z.uuid({ error: "This team could not be found. Reload the page and try again." }),
  // "1,000" and "1 000" are how people write amounts; the range is addCredits' to judge.
  amount: z
    .string({ error: CREDIT_MESSAGES.INVALID_AMOUNT })
    .transform((value) => value.replace(/[\s,_]/g, ""))
    .pipe(z.string().regex(/^\d{1,9}$/, { error: CREDIT_MESSAGES.INVALID_AMOUNT }))
    .transform(Number),
});

/**
 * Adds credits to the team (no payment) after a fresh second factor of the owner's own: the
 * balance is what SMS sends spend. addCredits checks that the user owns the team.
 */
export const addCreditsAction = formAction({ auth: "teamStepUp", schema: topUp }, async ({ teamId, amount }, user): Promise<ActionState<{ amount: number; balance: number }>> => {
  const result = await addCredits(teamId, user, amount, await requestMeta());
  if (!result.ok) return refusalState(result, result.code === "FORBIDDEN" ? undefined : "amount");
  revalidatePath("/team/credits");
  return { ok: true, data: { amount, balance: result.balance } };
});
