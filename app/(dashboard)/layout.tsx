import type { ReactNode } from "react";
import { GraceBanner } from "@/components/dashboard/grace-banner";
import { NavLink } from "@/components/dashboard/nav-link";
import { ProvidersBanner } from "@/components/dashboard/providers-banner";
import { TeamSwitcher } from "./_components/team-switcher";
import { UserMenu } from "@/components/dashboard/user-menu";
import { Logo } from "@/components/ui/logo";
import { currentTeam, isTeamAdmin } from "@/lib/auth/current-team";
import { requireUser } from "@/lib/auth/current-user";
import { userPolicy } from "@/lib/auth/policy-gate";
import { listNames } from "@/lib/format/list";
import { unconfiguredChannels } from "@/lib/messaging/choose-provider";

function MainNav({ admin, className }: { admin: boolean; className: string }) {
  return (
    <nav aria-label="Main" className={`gap-1 ${className}`}>
      <NavLink href="/dashboard">Dashboard</NavLink>
      {admin && <NavLink href="/team">Team</NavLink>}
      <NavLink href="/settings">Settings</NavLink>
    </nav>
  );
}

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const [{ team, teams }, policy] = await Promise.all([currentTeam(user.id), userPolicy(user.id)]);
  // A user who must set up 2FA first sees no way elsewhere (the server would send them back anyway).
  const blocked = policy.status === "blocked";
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-5xl items-center justify-between gap-2 px-3 sm:gap-4 sm:px-4">
          <div className="flex min-w-0 items-center gap-1 sm:gap-4">
            <Logo href="/dashboard" compact />
            {team && !blocked && <TeamSwitcher current={team} teams={teams} />}
            {!blocked && <MainNav admin={isTeamAdmin(team)} className="hidden sm:flex" />}
          </div>
          <UserMenu name={user.name} email={user.email} />
        </div>
        {/* Narrow screens: the links get a row of their own, so the team name keeps its room. */}
        {!blocked && <MainNav admin={isTeamAdmin(team)} className="flex px-2 pb-2 sm:hidden" />}
      </header>
      {policy.status === "grace" && policy.graceEndsAt && (
        <GraceBanner teams={listNames(policy.requiredBy.map((t) => t.name))} endsAt={policy.graceEndsAt.toISOString()} />
      )}
      {team?.role === "owner" && <ProvidersBanner unconfigured={unconfiguredChannels()} />}
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </div>
  );
}
