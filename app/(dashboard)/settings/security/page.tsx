import type { Metadata } from "next";
import { SignOutOthersForm } from "@/components/dashboard/sign-out-others-form";
import { Card } from "@/components/ui/card";
import { describeEvent, listUserEvents } from "@/lib/audit";
import { requireUser } from "@/lib/auth/current-user";
import { listSessions } from "@/lib/auth/sessions";
import { formatTime } from "@/lib/format/time";
import { describeUserAgent } from "@/lib/format/user-agent";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage() {
  const user = await requireUser();
  const [sessions, events] = await Promise.all([listSessions(user.id, user.sessionId), listUserEvents(user.id, 20)]);
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Security</h1>

      <Card title="Where you're signed in" description="Sign out any session you don't recognise." footer={<SignOutOthersForm others={others} />}>
        <ul className="divide-y divide-slate-100" aria-label="Active sessions">
          {sessions.map((session) => (
            <li key={session.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
              <span className="font-medium text-slate-800">
                {describeUserAgent(session.userAgent)}
                {session.current && <span className="ml-2 rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">This browser</span>}
              </span>
              <span className="text-slate-600">
                Signed in {formatTime(session.createdAt)}
                {session.ip ? ` · ${session.ip}` : ""}
              </span>
            </li>
          ))}
        </ul>
      </Card>

      <Card title="Recent security events" description="The last 20 security-relevant events on your account.">
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="py-2 font-medium">Event</th>
              <th scope="col" className="py-2 font-medium">Browser</th>
              <th scope="col" className="py-2 font-medium">When</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {events.map((event) => (
              <tr key={event.id}>
                <td className="py-2 pr-4 text-slate-800">{describeEvent(event.type)}</td>
                <td className="py-2 pr-4 text-slate-600">
                  {describeUserAgent(event.userAgent)}
                  {event.ip ? ` · ${event.ip}` : ""}
                </td>
                <td className="py-2 text-slate-600">
                  <time dateTime={event.createdAt.toISOString()}>{formatTime(event.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
