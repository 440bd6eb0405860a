import { listNames } from "@/lib/format/list";

export type NamedMember = { userId: string; name: string };

/** "1 member has", "8 members have". */
export function membersHave(total: number): string {
  return total === 1 ? "1 member has" : `${total} members have`;
}

/** "Ada Lovelace (you), Grace Hopper and 12 more": the names shown, then how many are not. */
export function memberNames(members: NamedMember[], total: number, youId?: string): string {
  const names = members.map((m) => (m.userId === youId ? `${m.name} (you)` : m.name));
  const rest = total - members.length;
  return listNames(rest > 0 ? [...names, `${rest} more`] : names);
}
