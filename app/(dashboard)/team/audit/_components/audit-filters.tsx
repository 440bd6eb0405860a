import Link from "next/link";
import type { AuditType } from "@/lib/audit";
import { TEAM_LOG_TYPES, teamEventDescription } from "@/lib/audit/team-log";

type Props = {
  members: { id: string; name: string; email: string }[];
  member: string | null;
  type: AuditType | null;
};

/** Event types grouped the way an admin looks for them; anything not listed falls under "Other". */
const GROUPS: [string, RegExp][] = [
  ["Sign-in and sessions", /^(user|sign_in|session|password)\./],
  ["Second factors", /^(factor|two_factor|recovery_codes|trusted_device|step_up)\./],
  ["Team", /^(policy|credits|invitation|member)\./],
  ["API keys", /^api_key\./],
];

function groupedTypes(): [string, AuditType[]][] {
  const types = TEAM_LOG_TYPES;
  const groups = GROUPS.map(([label, re]) => [label, types.filter((t) => re.test(t))] as [string, AuditType[]]);
  const other = types.filter((t) => !GROUPS.some(([, re]) => re.test(t)));
  return [...groups, ["Other", other] as [string, AuditType[]]].filter(([, list]) => list.length > 0);
}

const selectClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none";

/** A plain GET form: filtering works before (and without) JavaScript, and the URL can be shared. */
export function AuditFilters({ members, member, type }: Props) {
  return (
    <form method="get" action="/team/audit" className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end" role="search" aria-label="Filter the audit log">
      <div>
        <label htmlFor="audit-member" className="block text-sm font-medium text-slate-800">
          Member
        </label>
        <select id="audit-member" name="member" defaultValue={member ?? ""} className={selectClass}>
          <option value="">All members</option>
          {members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name ? `${m.name} (${m.email})` : m.email}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="audit-type" className="block text-sm font-medium text-slate-800">
          Event
        </label>
        <select id="audit-type" name="type" defaultValue={type ?? ""} className={selectClass}>
          <option value="">All events</option>
          {groupedTypes().map(([label, list]) => (
            <optgroup key={label} label={label}>
              {list.map((t) => (
                <option key={t} value={t}>
                  {teamEventDescription(t)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <div className="flex items-center gap-3">
        <button
          type="submit"
          className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50"
        >
          Filter
        </button>
        {(member || type) && (
          <Link href="/team/audit" className="text-sm font-medium text-indigo-700 hover:underline">
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}
