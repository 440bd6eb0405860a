import { Card } from "@/components/ui/card";
import { describeEvent, listUserEvents } from "@/lib/audit";
import { summarizeEventData } from "@/lib/audit/describe";
import { formatTime } from "@/lib/format/time";
import { describeUserAgent } from "@/lib/format/user-agent";

type Props = {
  /** The signed-in user: only their own events are read. */
  userId: string;
  /** How many of the newest events to show. */
  limit?: number;
};

const where = (event: { userAgent: string | null; ip: string | null }) =>
  [event.userAgent ? describeUserAgent(event.userAgent) : null, event.ip].filter(Boolean).join(" · ") || "—";

/** Settings → Security, "Recent activity": the user's own newest security events (a server component; it loads them). */
export async function RecentActivity({ userId, limit = 20 }: Props) {
  const events = await listUserEvents(userId, limit);
  return (
    <Card title="Recent activity" description={`Your latest security events, up to ${limit}. Times are in UTC. Don't recognise one? Change your password and sign out your other sessions.`}>
      {events.length === 0 ? (
        <p className="py-4 text-center text-sm text-slate-600">No security events yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Recent security events">
          {events.map((event) => {
            const details = summarizeEventData(event.data);
            return (
              <li key={event.id} className="flex flex-col gap-1 py-2.5 text-sm sm:flex-row sm:items-start sm:justify-between sm:gap-4" data-testid="recent-event">
                <div className="min-w-0">
                  <p className="font-medium text-slate-800">{describeEvent(event.type)}</p>
                  {details && <p className="text-xs text-slate-600">{details}</p>}
                </div>
                <div className="text-xs text-slate-600 sm:text-right">
                  <time dateTime={event.createdAt.toISOString()} className="block">
                    {formatTime(event.createdAt)}
                  </time>
                  <span className="block">{where(event)}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
