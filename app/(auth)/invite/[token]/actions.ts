"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { formAction, refusalState, type ActionState } from "@/lib/auth/action";
import { setTeamCookie } from "@/lib/auth/current-team";
import { requestMeta } from "@/lib/auth/request-meta";
import { acceptInvitation } from "@/lib/teams/invitations";

/**
 * Accepts an invitation as the signed-in user, then works in the new team. The dashboard's
 * 2FA gate sends a member of a team that requires it on to set up a factor.
 */
export const acceptInvitationAction = formAction(
  // lib/teams/invitations.ts answers every malformed token with its one generic message.
  { auth: "user", schema: z.object({ token: z.string().max(1000).default("") }) },
  async ({ token }, user): Promise<ActionState<{ teamName: string }>> => {
    const result = await acceptInvitation(token, user, await requestMeta());
    if (!result.ok) return refusalState(result);
    await setTeamCookie(result.teamId);
    if (result.alreadyMember) return { ok: true, data: { teamName: result.teamName } };
    redirect("/dashboard");
  },
);
