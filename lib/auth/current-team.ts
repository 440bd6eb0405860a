import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { listUserTeams, type UserTeam } from "@/lib/teams";
import { authCookieOptions, cookieName } from "./cookies";
import { requireUser } from "./current-user";
import type { SessionUser } from "./sessions";

/** Which team the team switcher chose. Only a hint: membership is checked on every read. */
export const TEAM_COOKIE = "tessera_team";

export type TeamContext = { team: UserTeam | null; teams: UserTeam[] };

/** The team the user works in: the one chosen in the switcher while they still belong to it, else their first. */
export const currentTeam = cache(async (userId: string): Promise<TeamContext> => {
  const teams = await listUserTeams(userId);
  const chosen = (await cookies()).get(cookieName(TEAM_COOKIE))?.value;
  return { team: teams.find((team) => team.id === chosen) ?? teams[0] ?? null, teams };
});

export const isTeamAdmin = (team: UserTeam | null): team is UserTeam => team?.role === "owner" || team?.role === "admin";

/**
 * For team pages: the signed-in user and their current team, when they are its owner or
 * admin; anyone else goes back to the dashboard. Actions check the role again in lib/teams.
 */
export async function requireTeamAdmin(): Promise<{ user: SessionUser; team: UserTeam }> {
  const user = await requireUser();
  const { team } = await currentTeam(user.id);
  if (!isTeamAdmin(team)) redirect("/dashboard");
  return { user, team };
}

export async function setTeamCookie(teamId: string): Promise<void> {
  (await cookies()).set(cookieName(TEAM_COOKIE), teamId, { ...authCookieOptions(), maxAge: 365 * 24 * 60 * 60 });
}
