import { defaultDirection, type MemberSort, type MemberStatusFilter, type SortDirection } from "@/lib/teams/members";

/** What the members page shows, as its URL says it. */
export type MembersView = { status: MemberStatusFilter; q: string; sort: MemberSort; dir: SortDirection; page: number };

export const MEMBERS_PATH = "/team/members";

/** The members page URL for `view` with `change` applied; defaults stay out of the URL. */
export function membersHref(view: MembersView, change: Partial<MembersView> = {}): string {
  const next = { ...view, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set("q", next.q);
  if (next.status !== "all") params.set("status", next.status);
  if (next.sort !== "name") params.set("sort", next.sort);
  if (next.dir !== defaultDirection(next.sort)) params.set("dir", next.dir);
  if (next.page > 1) params.set("page", String(next.page));
  const query = params.toString();
  return query ? `${MEMBERS_PATH}?${query}` : MEMBERS_PATH;
}
