import type { Metadata } from "next";
import { AuditFilters } from "./_components/audit-filters";
import { AuditLogTable } from "./_components/audit-log-table";
import { buttonClass } from "@/components/ui/button-class";
import { Card } from "@/components/ui/card";
import { auditFiltersFrom, listTeamEvents, listTeamMembersForAudit } from "@/lib/audit/team-log";
import { requireTeamAdmin } from "@/lib/auth/current-team";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 50;

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The first value of a query parameter. */
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;

export default async function AuditPage({ searchParams }: Props) {
  const { team } = await requireTeamAdmin();
  const raw = await searchParams;
  const params = { get: (name: string) => first(raw[name]) };
  const filters = auditFiltersFrom(params);
  const before = params.get("before");
  const after = before ? null : params.get("after");
  const [page, members] = await Promise.all([
    listTeamEvents(team.id, { ...filters, before, after, limit: PAGE_SIZE }),
    listTeamMembersForAudit(team.id),
  ]);

  const query = (extra: Record<string, string>) => {
    const search = new URLSearchParams();
    if (filters.userId) search.set("member", filters.userId);
    if (filters.type) search.set("type", filters.type);
    for (const [key, value] of Object.entries(extra)) search.set(key, value);
    const text = search.toString();
    return text ? `?${text}` : "";
  };

  return (
    <Card
      title="Audit log"
      description="Changes to the team, and since each member joined: their two-factor changes and when they passed it at sign-in — never where from. Times are in UTC."
    >
      <div className="space-y-5">
        <AuditFilters members={members} member={filters.userId} type={filters.type} />
        <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 pt-4">
          <p className="text-sm text-slate-600">{filters.userId || filters.type ? "Filtered events, newest first." : "All events, newest first."}</p>
          {/* A plain link: the route answers with a file, which client-side navigation would not handle. */}
          <a href={`/team/audit/export${query({ team: team.id })}`} className={buttonClass("secondary", "px-3 py-1.5")} download>
            Export CSV
          </a>
        </div>
        <AuditLogTable
          events={page.events}
          olderHref={page.olderCursor ? `/team/audit${query({ before: page.olderCursor })}` : null}
          newerHref={page.newerCursor ? `/team/audit${query({ after: page.newerCursor })}` : null}
          filtered={Boolean(filters.userId || filters.type)}
          paged={Boolean(before || after)}
        />
      </div>
    </Card>
  );
}
