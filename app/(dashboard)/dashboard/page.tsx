import type { Metadata } from "next";
import Link from "next/link";
import { PhoneNotice } from "@/components/teams/phone-notice";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { describeEvent, listUserEvents } from "@/lib/audit";
import { currentTeam, isTeamAdmin } from "@/lib/auth/current-team";
import { requireUser } from "@/lib/auth/current-user";
import { hasSecondFactor } from "@/lib/factors";
import { formatTime } from "@/lib/format/time";
import { listUserTeams } from "@/lib/teams";
import { membersMissingPhone } from "@/lib/teams/policy-preview";

export const metadata: Metadata = { title: "Dashboard" };

const roleNames = { owner: "Owner", admin: "Admin", member: "Member" } as const;

export default async function DashboardPage() {
  const user = await requireUser();
  const [teams, events, twoFactorOn, { team }] = await Promise.all([
    listUserTeams(user.id),
    listUserEvents(user.id, 5),
    hasSecondFactor(user.id),
    currentTeam(user.id),
  ]);
  // Only owners and admins can act on the phone notice (and may see members' names).
  const missingPhone = isTeamAdmin(team) ? await membersMissingPhone(team.id) : null;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Welcome, {user.name}</h1>
        <p className="mt-1 text-sm text-slate-600">Signed in as {user.email}</p>
      </div>
      {twoFactorOn ? (
        <Alert tone="success">Two-factor authentication is on for your account.</Alert>
      ) : (
        <Alert tone="warning">
          Two-factor authentication is off: your password alone protects this account.{" "}
          <Link href="/settings/security" className="font-medium underline">
            Turn it on
          </Link>
        </Alert>
      )}
      {missingPhone && <PhoneNotice {...missingPhone} youId={user.id} teamName={team?.name} />}
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Your teams">
          <ul className="divide-y divide-slate-100">
            {teams.map((team) => (
              <li key={team.id} className="flex items-center justify-between py-2 text-sm">
                <span className="font-medium text-slate-800">{team.name}</span>
                <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">{roleNames[team.role]}</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card
          title="Recent security activity"
          footer={
            <Link href="/settings/security" className="text-sm font-medium text-indigo-700 hover:underline">
              Security settings
            </Link>
          }
        >
          <ul className="space-y-2">
            {events.map((event) => (
              <li key={event.id} className="flex justify-between gap-4 text-sm">
                <span className="text-slate-800">{describeEvent(event.type)}</span>
                <time className="shrink-0 text-slate-600" dateTime={event.createdAt.toISOString()}>
                  {formatTime(event.createdAt)}
                </time>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}
