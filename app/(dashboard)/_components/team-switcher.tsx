"use client";

import { usePathname } from "next/navigation";
import { switchTeamAction } from "../actions";
import type { UserTeam } from "@/lib/teams";

const roleNames = { owner: "Owner", admin: "Admin", member: "Member" } as const;

/** The current team and, in a menu, the others; picking one posts a plain form (works before hydration). */
export function TeamSwitcher({ current, teams }: { current: UserTeam; teams: UserTeam[] }) {
  const pathname = usePathname() ?? "/dashboard";
  return (
    <details className="group relative min-w-0">
      <summary
        className="flex min-w-0 cursor-pointer list-none items-center gap-1 rounded-md px-2 py-1 text-sm font-medium text-slate-800 hover:bg-slate-100 [&::-webkit-details-marker]:hidden"
        data-testid="team-switcher"
      >
        <span className="truncate max-w-32 sm:max-w-48">{current.name}</span>
        <span className="sr-only">, switch team</span>
        <svg viewBox="0 0 20 20" className="size-4 shrink-0 text-slate-500 group-open:rotate-180" aria-hidden="true">
          <path d="M5.5 7.5 10 12l4.5-4.5" stroke="currentColor" strokeWidth="1.5" fill="none" />
        </svg>
      </summary>
      <div className="absolute left-0 z-10 mt-2 w-72 max-w-[calc(100vw-1.5rem)] overflow-hidden rounded-md border border-slate-200 bg-white py-1 shadow-lg">
        <p className="px-4 py-2 text-xs font-medium uppercase tracking-wide text-slate-500">Your teams</p>
        <ul>
          {teams.map((team) => (
            <li key={team.id}>
              <form action={switchTeamAction}>
                <input type="hidden" name="teamId" value={team.id} />
                <input type="hidden" name="from" value={pathname} />
                <button
                  type="submit"
                  aria-current={team.id === current.id ? "true" : undefined}
                  className="flex w-full items-center justify-between gap-3 px-4 py-2 text-left text-sm text-slate-700 hover:bg-slate-50 aria-[current]:font-semibold aria-[current]:text-slate-900"
                >
                  <span className="truncate">{team.name}</span>
                  <span className="shrink-0 text-xs text-slate-500">{roleNames[team.role]}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      </div>
    </details>
  );
}
