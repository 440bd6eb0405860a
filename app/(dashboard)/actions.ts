"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { plainFormAction } from "@/lib/auth/action";
import { currentTeam, isTeamAdmin, setTeamCookie } from "@/lib/auth/current-team";

const switchInput = z.object({ teamId: z.uuid(), from: z.string().max(200).optional() });

/**
 * The team switcher. Only a team the user belongs to is remembered; a team page stays on the
 * same section of the new team when the user administers it, anything else lands on the dashboard.
 */
export const switchTeamAction = plainFormAction({ auth: "session", schema: switchInput }, async (input, user) => {
  const { teams } = await currentTeam(user.id);
  const team = teams.find((t) => t.id === input.teamId);
  if (!team) redirect("/dashboard");
  await setTeamCookie(team.id);
  const section = /^\/team\/([a-z-]+)/.exec(input.from ?? "")?.[1];
  redirect(section && isTeamAdmin(team) ? `/team/${section}` : "/dashboard");
});
