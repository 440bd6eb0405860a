import type { ReactNode } from "react";
import { NavLink } from "@/components/dashboard/nav-link";
import { requireTeamAdmin } from "@/lib/auth/current-team";

/** Team pages: owners and admins of the current team only (each page checks again). */
export default async function TeamLayout({ children }: { children: ReactNode }) {
  const { team } = await requireTeamAdmin();
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-600">Team</p>
        <h1 className="text-2xl font-semibold tracking-tight">{team.name}</h1>
      </div>
      <nav aria-label="Team" className="-mx-1 flex gap-1 overflow-x-auto border-b border-slate-200 pb-2">
        <NavLink href="/team/members">Members</NavLink>
        <NavLink href="/team/invitations">Invitations</NavLink>
        <NavLink href="/team/security">Security</NavLink>
        <NavLink href="/team/credits">SMS credits</NavLink>
        <NavLink href="/team/sms">SMS &amp; voice</NavLink>
        <NavLink href="/team/audit">Audit log</NavLink>
        <NavLink href="/team/developers">Developers</NavLink>
      </nav>
      <div>{children}</div>
    </div>
  );
}
