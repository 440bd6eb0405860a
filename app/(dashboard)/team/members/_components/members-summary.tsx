import Link from "next/link";
import type { MemberPage } from "@/lib/teams/members";
import { membersHref, type MembersView } from "./members-href";
import { MembersRemindAll } from "./members-remind-all";

const count = (n: number) => n.toLocaleString("en-US");

/** "42 of 50 members use two-factor authentication", and who the team's requirement stops. */
export function MembersSummary({ summary, teamId, teamName, view }: { summary: MemberPage["summary"]; teamId: string; teamName: string; view: MembersView }) {
  const { members, withTwoFactor, missing, required } = summary;
  const share = members > 0 ? Math.round((withTwoFactor / members) * 100) : 0;
  const without = members - withTwoFactor;
  const showStatus = (status: MembersView["status"]) => membersHref(view, { status, q: "", page: 1 });
  return (
    <section aria-labelledby="members-summary" className="space-y-3 rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="members-summary" className="text-base font-semibold text-slate-900" data-testid="members-summary">
          {count(withTwoFactor)} of {count(members)} {members === 1 ? "member uses" : "members use"} two-factor authentication
        </h2>
        <span className="text-sm text-slate-600">{share}%</span>
      </div>
      <div className="h-2 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
        <div className="h-full rounded-full bg-emerald-500" style={{ width: `${share}%` }} />
      </div>
      {required && missing > 0 && (
        <div role="status" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="members-missing">
          <p>
            {teamName} requires two-factor authentication.{" "}
            <strong className="font-semibold">
              {count(missing)} {missing === 1 ? "member hasn't" : "members haven't"}
            </strong>{" "}
            set up a method it accepts: they can&apos;t use Tessera until they do.{" "}
            <Link href={showStatus("missing")} className="font-medium underline">
              Show {missing === 1 ? "them" : `all ${count(missing)}`}
            </Link>
          </p>
          <MembersRemindAll teamId={teamId} label="Email them a reminder" />
        </div>
      )}
      {required && missing === 0 && <p className="text-sm text-emerald-800">{teamName} requires two-factor authentication, and every member has a method it accepts.</p>}
      {!required && without > 0 && (
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-700">
          <p>
            {count(without)} {without === 1 ? "member doesn't" : "members don't"} use it yet.{" "}
            <Link href={showStatus("off")} className="font-medium text-indigo-700 hover:underline">
              Show {without === 1 ? "them" : "who"}
            </Link>
          </p>
          <MembersRemindAll teamId={teamId} label="Remind them to set it up" />
        </div>
      )}
    </section>
  );
}
