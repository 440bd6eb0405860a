import type { Metadata } from "next";
import Link from "next/link";
import { membersHref, type MembersView } from "./_components/members-href";
import { MembersFilters } from "./_components/members-filters";
import { ListNoticeProvider } from "@/components/ui/list-notice";
import { MembersPagination } from "./_components/members-pagination";
import { MembersSummary } from "./_components/members-summary";
import { MembersTable } from "./_components/members-table";
import { requireTeamAdmin } from "@/lib/auth/current-team";
import { defaultDirection, listTeamMembers, parseMemberQuery } from "@/lib/teams/members";

export const metadata: Metadata = { title: "Members" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function MembersPage({ searchParams }: Props) {
  const { user, team } = await requireTeamAdmin();
  const query = parseMemberQuery(await searchParams);
  const dir = query.dir ?? defaultDirection(query.sort);
  const page = await listTeamMembers(team.id, { ...query, dir });
  // The page actually shown (an out-of-range ?page= lands on the last one).
  const view: MembersView = { ...query, dir, page: page.page };
  const now = new Date();

  return (
    <div className="space-y-5">
      <h2 className="sr-only">Members</h2>
      <MembersSummary summary={page.summary} teamId={team.id} teamName={team.name} view={view} />
      <MembersFilters view={view} required={page.summary.required} />
      {page.total === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white px-5 py-10 text-center" data-testid="members-empty">
          <p className="font-medium text-slate-900">{view.q ? <>No members match “{view.q}”</> : "No members with this status"}</p>
          <p className="mt-1 text-sm text-slate-600">
            {view.q && view.status !== "all" ? "Try another search, or look at every status. " : view.q ? "Check the spelling, or search by email instead. " : ""}
            <Link href={membersHref(view, { q: "", status: "all", page: 1 })} className="font-medium text-indigo-700 hover:underline">
              Show all members
            </Link>
          </p>
        </div>
      ) : (
        <ListNoticeProvider key={membersHref(view)} testId="members-notice">
          <MembersTable page={page} view={view} teamId={team.id} teamName={team.name} actor={{ id: user.id, role: team.role }} now={now} />
          <div className="mt-4">
            <MembersPagination page={page} view={view} />
          </div>
        </ListNoticeProvider>
      )}
    </div>
  );
}
