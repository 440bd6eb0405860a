"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formAction, refusalState, teamStepUpAnswer, type ActionState } from "@/lib/auth/action";
import { requestMeta } from "@/lib/auth/request-meta";
import { createInvitation, resendInvitation, revokeInvitation, type InvitationFailure } from "@/lib/teams/invitations";

const PAGE = "/team/invitations";

// Ids arrive from hidden inputs; lib/teams/invitations.ts refuses malformed ones with its own
// messages, so the shapes here only bound the sizes.
const id = z.string().max(100).default("");
const invitationRef = z.object({ teamId: id, invitationId: id });

const toState = (failure: InvitationFailure): ActionState<never> =>
  failure.fieldErrors ? { fieldErrors: failure.fieldErrors } : { error: failure.message };

/**
 * Invites someone. Inviting an admin or owner hands out control of the team, so it needs a
 * fresh second factor of the inviter's own; inviting a member grants nothing over the team.
 */
export const inviteAction = formAction(
  { auth: "user", schema: z.object({ teamId: id, email: z.string().max(1000).optional(), role: z.string().max(100).optional(), phone: z.string().max(1000).optional() }) },
  async ({ teamId, ...input }, user): Promise<ActionState<{ email: string }>> => {
    const refused = input.role === "admin" || input.role === "owner" ? await teamStepUpAnswer(user) : null;
    if (refused) return refused;
    const result = await createInvitation(teamId, user, input, await requestMeta());
    // A failed delivery still saved the invitation: the list must show it.
    if (result.ok || result.code === "DELIVERY_FAILED") revalidatePath(PAGE);
    return result.ok ? { ok: true, data: { email: result.invitation.email } } : toState(result);
  },
);

export const resendInvitationAction = formAction({ auth: "user", schema: invitationRef }, async ({ teamId, invitationId }, user): Promise<ActionState<{ email: string }>> => {
  const result = await resendInvitation(teamId, user, invitationId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true, data: { email: result.invitation.email } } : refusalState(result);
});

export const revokeInvitationAction = formAction({ auth: "user", schema: invitationRef }, async ({ teamId, invitationId }, user): Promise<ActionState> => {
  const result = await revokeInvitation(teamId, user, invitationId, await requestMeta());
  revalidatePath(PAGE);
  return result.ok ? { ok: true } : refusalState(result);
});
