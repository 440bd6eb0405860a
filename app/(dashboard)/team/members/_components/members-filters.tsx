import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";
import { defaultDirection, MAX_SEARCH_LENGTH, type MemberStatusFilter } from "@/lib/teams/members";
import { MEMBERS_PATH, membersHref, type MembersView } from "./members-href";

const STATUS_LABELS: Record<MemberStatusFilter, string> = {
  all: "All members",
  on: "2FA on",
  off: "2FA off",
  missing: "Required but missing",
};

/** Search and status filter: a plain GET form, so it works before (or without) JavaScript. */
export function MembersFilters({ view, required }: { view: MembersView; required: boolean }) {
  const statuses = (Object.keys(STATUS_LABELS) as MemberStatusFilter[]).filter((s) => s !== "missing" || required || view.status === "missing");
  const filtered = view.q !== "" || view.status !== "all";
  return (
    <form role="search" aria-label="Members" method="get" action={MEMBERS_PATH} className="flex flex-wrap items-end gap-3">
      {view.sort !== "name" && <input type="hidden" name="sort" value={view.sort} />}
      {view.dir !== defaultDirection(view.sort) && <input type="hidden" name="dir" value={view.dir} />}
      <div className="min-w-48 flex-1">
        <label htmlFor="members-q" className="block text-sm font-medium text-slate-800">
          Search
        </label>
        <input
          id="members-q"
          name="q"
          type="search"
          defaultValue={view.q}
          maxLength={MAX_SEARCH_LENGTH}
          placeholder="Name or email"
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none"
        />
      </div>
      <div>
        <label htmlFor="members-status" className="block text-sm font-medium text-slate-800">
          Two-factor status
        </label>
        <select
          id="members-status"
          name="status"
          defaultValue={view.status}
          className="mt-1 block rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none"
        >
          {statuses.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className={buttonClass("primary")}>
          Search
        </button>
        {filtered && (
          <Link href={membersHref(view, { q: "", status: "all", page: 1 })} className="text-sm font-medium text-indigo-700 hover:underline">
            Clear
          </Link>
        )}
      </div>
    </form>
  );
}
