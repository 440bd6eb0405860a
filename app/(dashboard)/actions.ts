"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { currentTeam, isTeamAdmin, setTeamCookie } from "@/lib/auth/current-team";
import { currentUser } from "@/lib/auth/current-user";

const switchInput = z.object({ teamId: z.uuid(), from: z.string().max(200).optional() });

/**
 * The team switcher. Only a team the user belongs to is remembered; a team page stays on the
 * same section of the new team when the user administers it, anything else lands on the dashboard.
 */
export async function switchTeamAction(formData: FormData): Promise<void> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const input = switchInput.safeParse(Object.fromEntries(formData));
  if (!input.success) redirect("/dashboard");
  const { teams } = await currentTeam(user.id);
  const team = teams.find((t) => t.id === input.data.teamId);
  if (!team) redirect("/dashboard");
  await setTeamCookie(team.id);
  const section = /^\/team\/([a-z-]+)/.exec(input.data.from ?? "")?.[1];
  redirect(section && isTeamAdmin(team) ? `/team/${section}` : "/dashboard");
}
