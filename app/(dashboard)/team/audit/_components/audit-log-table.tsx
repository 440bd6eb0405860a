import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
import { ResponsiveTable, type Column } from "@/components/ui/responsive-table";
import type { TeamEvent } from "@/lib/audit/team-log";
import { formatTime } from "@/lib/format/time";

type Props = {
  events: TeamEvent[];
  olderHref: string | null;
  newerHref: string | null;
  /** Filters or a cursor are in use: an empty page then says so instead of "nothing yet". */
  filtered: boolean;
  paged: boolean;
};

function person(p: TeamEvent["member"]) {
  if (!p) return null;
  return (
    <>
      <span className="block max-w-[13rem] truncate font-medium text-slate-800" title={p.name || p.email}>
        {p.name || p.email}
      </span>
      {p.name && (
        <span className="block max-w-[13rem] truncate text-xs text-slate-600" title={p.email}>
          {p.email}
        </span>
      )}
    </>
  );
}

const where = (event: TeamEvent) => [event.device, event.ip].filter(Boolean).join(" · ") || "—";

const COLUMNS: Column<TeamEvent>[] = [
  {
    header: "When",
    className: "py-2 pr-4 whitespace-nowrap text-slate-600",
    cell: (event) => <time dateTime={event.createdAt.toISOString()}>{formatTime(event.createdAt)}</time>,
  },
  {
    header: "Event",
    className: "py-2 pr-4",
    cell: (event) => (
      <>
        <span className="block text-slate-900">{event.description}</span>
        {event.details && <span className="block text-xs text-slate-600">{event.details}</span>}
      </>
    ),
  },
  { header: "Member", className: "py-2 pr-4", cell: (event) => person(event.member) ?? <span className="text-slate-500">Team</span> },
  { header: "By", className: "py-2 pr-4", cell: (event) => person(event.actor) ?? <span className="text-slate-500">—</span> },
  {
    header: "Where",
    className: "py-2 text-slate-600",
    cell: (event) =>
      event.device || event.ip ? (
        <>
          {event.device && <span className="block whitespace-nowrap">{event.device}</span>}
          {event.ip && <span className="block text-xs">{event.ip}</span>}
        </>
      ) : (
        "—"
      ),
  },
];

/** The team's audit events: a table on wide screens, a list of cards on phones. */
export function AuditLogTable({ events, olderHref, newerHref, filtered, paged }: Props) {
  if (events.length === 0) {
    return (
      <div className="py-8 text-center text-sm text-slate-600">
        {paged ? (
          <p>
            No more events here.{" "}
            <Link href="/team/audit" className="font-medium text-indigo-700 hover:underline">
              Back to the newest
            </Link>
          </p>
        ) : filtered ? (
          <p>
            No events match these filters.{" "}
            <Link href="/team/audit" className="font-medium text-indigo-700 hover:underline">
              Show all events
            </Link>
          </p>
        ) : (
          <p>No events yet. Members&apos; sign-ins, second-factor changes and changes to the team will appear here.</p>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-3">
      <ResponsiveTable
        rows={events}
        rowKey={(event) => event.id}
        columns={COLUMNS}
        rowTestId="audit-row"
        alignTop
        label="Audit events"
        cardClassName="space-y-1 py-3 text-sm"
        card={(event) => (
          <>
            <p className="font-medium text-slate-900">{event.description}</p>
            {event.details && <p className="text-xs text-slate-600">{event.details}</p>}
            <p className="text-slate-700">
              {event.member ? event.member.name || event.member.email : "Team"}
              {event.actor && <span className="text-slate-600"> · by {event.actor.name || event.actor.email}</span>}
            </p>
            <p className="text-xs text-slate-600">
              <time dateTime={event.createdAt.toISOString()}>{formatTime(event.createdAt)}</time>
              {/* Members' own events carry no place (the team log never shows one): nothing to add then. */}
              {(event.device || event.ip) && ` · ${where(event)}`}
            </p>
          </>
        )}
      />

      <CursorPager label="Audit log pages" newerHref={newerHref} olderHref={olderHref} />
    </div>
  );
}
