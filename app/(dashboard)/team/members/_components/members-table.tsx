import Link from "next/link";
import type { ReactNode } from "react";
import { FactorIcon } from "@/components/factors/factor-icon";
import type { FactorKind, Role } from "@/lib/db/schema";
import { FACTOR_NAMES } from "@/lib/factors/registry";
import { defaultDirection, type MemberPage, type MemberSort, type MemberStatus } from "@/lib/teams/members";
import { membersHref, type MembersView } from "./members-href";
import { MembersRowActions } from "./members-row-actions";
import { MembersTime } from "@/components/teams/members-time";

const ROLE_NAMES: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };
const STATUS: Record<MemberStatus, { label: string; className: string; note?: string }> = {
  on: { label: "On", className: "bg-emerald-100 text-emerald-800" },
  off: { label: "Off", className: "bg-slate-200 text-slate-700" },
  missing: { label: "Missing", className: "bg-amber-100 text-amber-900", note: "This team requires two-factor authentication and they have no method it accepts" },
};

const RESET_NOTES = {
  ready: "They can set up two-factor authentication again at their next sign-in, after a code sent to their email address",
  waiting: "Another team they belong to requires two-factor authentication and has not asked for a reset yet",
} as const;

type Props = {
  page: MemberPage;
  view: MembersView;
  teamId: string;
  teamName: string;
  actor: { id: string; role: Role };
  now: Date;
};

const th = "px-2.5 py-2.5 font-medium whitespace-nowrap first:pl-4 last:pr-4";
const td = "px-2.5 py-2.5 align-middle first:pl-4 last:pr-4";
// The member column stays in view while the rest of the table scrolls sideways on a phone.
const sticky = "sticky left-0 z-[1] bg-white shadow-[1px_0_0_0_var(--color-slate-100)]";

function SortLink({ view, sort, children }: { view: MembersView; sort: MemberSort; children: ReactNode }) {
  const active = view.sort === sort;
  const next = active ? (view.dir === "asc" ? "desc" : "asc") : defaultDirection(sort);
  return (
    <Link
      href={membersHref(view, { sort, dir: next, page: 1 })}
      className={`inline-flex items-center gap-1 rounded hover:text-slate-900 ${active ? "text-slate-900" : ""}`}
      data-testid={`sort-${sort}`}
    >
      {children}
      <svg viewBox="0 0 20 20" className={`size-3.5 ${active ? "text-indigo-600" : "text-slate-300"}`} aria-hidden="true">
        {active && view.dir === "desc" ? <path d="M5.5 8 10 12.5 14.5 8" {...stroke} /> : <path d="M5.5 12 10 7.5l4.5 4.5" {...stroke} />}
      </svg>
      <span className="sr-only">, sort {next === "asc" ? "ascending" : "descending"}</span>
    </Link>
  );
}
const stroke = { stroke: "currentColor", strokeWidth: 1.8, fill: "none", strokeLinecap: "round", strokeLinejoin: "round" } as const;

const ariaSort = (view: MembersView, ...sorts: MemberSort[]) =>
  sorts.includes(view.sort) ? (view.dir === "asc" ? ("ascending" as const) : ("descending" as const)) : undefined;

/** The members, one row each; headers sort (links), each row has its action menu. */
export function MembersTable({ page, view, teamId, teamName, actor, now }: Props) {
  const returnTo = membersHref(view);
  // relative: the visually hidden labels of cells scrolled out of view stay inside the scroll box instead of widening the page.
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full min-w-[56rem] text-left text-sm" data-testid="members-table">
        <caption className="sr-only">
          Members of {teamName}, sorted by {view.sort.replace(/_/g, " ")} ({view.dir === "asc" ? "ascending" : "descending"})
        </caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className={`${th} ${sticky} bg-slate-50`} aria-sort={ariaSort(view, "name", "email")}>
              <span className="inline-flex gap-3">
                <SortLink view={view} sort="name">
                  Name
                </SortLink>
                <SortLink view={view} sort="email">
                  Email
                </SortLink>
              </span>
            </th>
            <th scope="col" className={th} aria-sort={ariaSort(view, "role")}>
              <SortLink view={view} sort="role">
                Role
              </SortLink>
            </th>
            <th scope="col" className={th} aria-sort={ariaSort(view, "status")}>
              <SortLink view={view} sort="status">
                2FA
              </SortLink>
            </th>
            <th scope="col" className={th}>
              Methods
            </th>
            <th scope="col" className={th}>
              Default
            </th>
            <th scope="col" className={th}>
              <abbr title="Recovery codes left" className="no-underline">
                Codes
              </abbr>
            </th>
            <th scope="col" className={th} aria-sort={ariaSort(view, "last_sign_in")}>
              <SortLink view={view} sort="last_sign_in">
                Last sign-in
              </SortLink>
            </th>
            <th scope="col" className={th} aria-sort={ariaSort(view, "last_two_factor")}>
              <SortLink view={view} sort="last_two_factor">
                Last 2FA
              </SortLink>
            </th>
            <th scope="col" className={`${th} text-right`}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {page.rows.map((row) => {
            const status = STATUS[row.status];
            const isYou = row.userId === actor.id;
            return (
              <tr key={row.userId} data-testid="member-row" data-email={row.email}>
                <th scope="row" className={`${td} ${sticky} max-w-40 font-normal sm:max-w-52`}>
                  <span className="block truncate font-medium text-slate-900">
                    {row.name}
                    {isYou && <span className="ml-2 rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-800">You</span>}
                  </span>
                  <span className="block truncate text-slate-600" title={row.email}>
                    {row.email}
                  </span>
                </th>
                <td className={`${td} text-slate-700`}>{ROLE_NAMES[row.role]}</td>
                <td className={td}>
                  <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${status.className}`} title={status.note} data-testid="member-status">
                    {status.label}
                    {status.note && <span className="sr-only"> — {status.note}</span>}
                  </span>
                  {row.reset && (
                    <span
                      className="mt-1 block w-fit rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-sky-900"
                      title={RESET_NOTES[row.reset]}
                      data-testid="member-reset"
                    >
                      {row.reset === "ready" ? "Reset pending" : "Reset waiting for another team"}
                      <span className="sr-only"> — {RESET_NOTES[row.reset]}</span>
                    </span>
                  )}
                </td>
                <td className={td}>
                  {row.methods.length > 0 ? (
                    <span className="flex gap-1">
                      {row.methods.map((kind) => (
                        <MethodIcon key={kind} kind={kind} />
                      ))}
                    </span>
                  ) : (
                    <Dash label="No methods" />
                  )}
                </td>
                <td className={td}>{row.defaultMethod ? <MethodIcon kind={row.defaultMethod} /> : <Dash label="None" />}</td>
                <td className={`${td} whitespace-nowrap`}>
                  {row.methods.length > 0 ? (
                    <span className={row.recoveryCodesLeft <= 2 ? "font-medium text-amber-800" : "text-slate-700"}>
                      {row.recoveryCodesLeft}
                      <span className="sr-only"> recovery codes left</span>
                    </span>
                  ) : (
                    <Dash label="None" />
                  )}
                </td>
                <td className={`${td} text-slate-700`}>
                  <MembersTime date={row.lastSignInAt} now={now} />
                </td>
                <td className={`${td} text-slate-700`}>
                  <MembersTime date={row.lastTwoFactorAt} now={now} />
                </td>
                <td className={`${td} text-right whitespace-nowrap`}>
                  <MembersRowActions
                    teamId={teamId}
                    teamName={teamName}
                    member={{ userId: row.userId, name: row.name, email: row.email, role: row.role, status: row.status, hasFactors: row.methods.length > 0, reset: row.reset }}
                    actor={actor}
                    returnTo={returnTo}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A factor kind as a small labelled icon (the shared factor icon, scaled down for table rows). */
function MethodIcon({ kind }: { kind: FactorKind }) {
  return (
    <span role="img" aria-label={FACTOR_NAMES[kind]} title={FACTOR_NAMES[kind]} className="inline-flex [&>span]:size-7 [&_svg]:size-4">
      <FactorIcon kind={kind} />
    </span>
  );
}

function Dash({ label }: { label: string }) {
  return (
    <span className="text-slate-400">
      <span aria-hidden="true">—</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}
