import Link from "next/link";
import type { MemberPage } from "@/lib/teams/members";
import { membersHref, type MembersView } from "./members-href";

const link = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50";
const disabled = "rounded-md border border-slate-200 px-3 py-1.5 text-sm font-medium text-slate-400";

/** "Showing 51–100 of 10,000", and Previous / Next (links: every page has its own URL). */
export function MembersPagination({ page, view }: { page: MemberPage; view: MembersView }) {
  if (page.total === 0) return null;
  const from = (page.page - 1) * page.pageSize + 1;
  const to = from + page.rows.length - 1;
  const n = (value: number) => value.toLocaleString("en-US");
  return (
    <nav aria-label="Pages of members" className="flex flex-wrap items-center justify-between gap-3">
      <p className="text-sm text-slate-600" data-testid="members-range">
        Showing {n(from)}–{n(to)} of {n(page.total)}
        {page.pageCount > 1 && <span className="text-slate-500"> · page {n(page.page)} of {n(page.pageCount)}</span>}
      </p>
      <div className="flex gap-2">
        {page.page > 1 ? (
          <Link href={membersHref(view, { page: page.page - 1 })} rel="prev" className={link}>
            Previous
          </Link>
        ) : (
          <span aria-disabled="true" className={disabled}>
            Previous
          </span>
        )}
        {page.page < page.pageCount ? (
          <Link href={membersHref(view, { page: page.page + 1 })} rel="next" className={link}>
            Next
          </Link>
        ) : (
          <span aria-disabled="true" className={disabled}>
            Next
          </span>
        )}
      </div>
    </nav>
  );
}
