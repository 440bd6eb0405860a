import Link from "next/link";
import { CursorPager } from "@/components/ui/cursor-pager";
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
      <div className="relative -mx-5 hidden overflow-x-auto px-5 md:block">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="py-2 pr-4 font-medium">
                When
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Event
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                Member
              </th>
              <th scope="col" className="py-2 pr-4 font-medium">
                By
              </th>
              <th scope="col" className="py-2 font-medium">
                Where
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 align-top">
            {events.map((event) => (
              <tr key={event.id} data-testid="audit-row">
                <td className="py-2 pr-4 whitespace-nowrap text-slate-600">
                  <time dateTime={event.createdAt.toISOString()}>{formatTime(event.createdAt)}</time>
                </td>
                <td className="py-2 pr-4">
                  <span className="block text-slate-900">{event.description}</span>
                  {event.details && <span className="block text-xs text-slate-600">{event.details}</span>}
                </td>
                <td className="py-2 pr-4">{person(event.member) ?? <span className="text-slate-500">Team</span>}</td>
                <td className="py-2 pr-4">{person(event.actor) ?? <span className="text-slate-500">—</span>}</td>
                <td className="py-2 text-slate-600">
                  {event.device || event.ip ? (
                    <>
                      {event.device && <span className="block whitespace-nowrap">{event.device}</span>}
                      {event.ip && <span className="block text-xs">{event.ip}</span>}
                    </>
                  ) : (
                    "—"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <ul className="divide-y divide-slate-100 md:hidden" aria-label="Audit events">
        {events.map((event) => (
          <li key={event.id} className="space-y-1 py-3 text-sm">
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
          </li>
        ))}
      </ul>

      <CursorPager label="Audit log pages" newerHref={newerHref} olderHref={olderHref} />
    </div>
  );
}
