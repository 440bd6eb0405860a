import { and, asc, desc, eq, isNull, sql, type AnyColumn, type SQL, type SQLWrapper } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/lib/db";
import { factors, memberships, recoveryCodes, teams, twoFactorResets, users, type FactorKind, type Role } from "@/lib/db/schema";
import { acceptedKindsSql } from "./accepted-kinds";
import { FACTOR_KINDS } from "./policy";
import { liveResetRequest, waitingOnAnotherTeam } from "./reset-requests";

/** "missing": this team requires 2FA and the member has no factor its policy accepts. */
export type MemberStatus = "on" | "off" | "missing";
export const MEMBER_STATUS_FILTERS = ["all", "on", "off", "missing"] as const;
export type MemberStatusFilter = (typeof MEMBER_STATUS_FILTERS)[number];
export const MEMBER_SORTS = ["name", "email", "role", "status", "last_sign_in", "last_two_factor"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
export type SortDirection = "asc" | "desc";

export const MEMBERS_PAGE_SIZE = 50;
export const MAX_MEMBERS_PAGE_SIZE = 200;
export const MAX_SEARCH_LENGTH = 100;
const MAX_PAGE = 1_000_000;

export type MemberQuery = {
  status?: MemberStatusFilter;
  q?: string;
  sort?: MemberSort;
  dir?: SortDirection;
  page?: number;
  pageSize?: number;
};

export type MemberRow = {
  userId: string;
  name: string;
  email: string;
  role: Role;
  status: MemberStatus;
  /** The kinds of factor the member has enrolled, in the product's usual order. */
  methods: FactorKind[];
  defaultMethod: FactorKind | null;
  recoveryCodesLeft: number;
  lastSignInAt: Date | null;
  lastTwoFactorAt: Date | null;
  /**
   * This team's live reset request for the member: "ready" (they may use it at their next
   * sign-in), "waiting" (another team that requires 2FA has not asked yet), or none.
   */
  reset: "ready" | "waiting" | null;
};

export type MemberPage = {
  rows: MemberRow[];
  /** Members matching the search and filter. */
  total: number;
  /** The page shown: the one asked for, kept within 1…pageCount. */
  page: number;
  pageSize: number;
  pageCount: number;
  summary: {
    /** Every member of the team, whatever the search. */
    members: number;
    /** Members with at least one second factor. */
    withTwoFactor: number;
    /** Members the team's requirement stops (0 while the team does not require 2FA). */
    missing: number;
    /** The team requires 2FA. */
    required: boolean;
  };
};

/**
 * What the members page's URL may say, normalised: unknown values fall back to the
 * defaults instead of failing, since a hand-edited or stale link should still show the page.
 */
export const memberQueryInput = z.object({
  status: z.enum(MEMBER_STATUS_FILTERS).catch("all"),
  q: z
    .string()
    .catch("")
    .transform((q) => q.trim().replace(/\s+/g, " ").slice(0, MAX_SEARCH_LENGTH)),
  sort: z.enum(MEMBER_SORTS).catch("name"),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).catch(1),
});

export function parseMemberQuery(params: Record<string, string | string[] | undefined>): Required<Omit<MemberQuery, "pageSize" | "dir">> & { dir?: SortDirection } {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return memberQueryInput.parse({
    status: first(params.status),
    q: first(params.q) ?? "",
    sort: first(params.sort),
    dir: first(params.dir),
    page: first(params.page) ?? 1,
  });
}

/** Dates sort newest first unless asked otherwise; names, emails, roles and statuses A→Z. */
export const defaultDirection = (sort: MemberSort): SortDirection => (sort === "last_sign_in" || sort === "last_two_factor" ? "desc" : "asc");

/** `%`, `_` and `\` typed in the search box mean themselves, not LIKE wildcards. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One row per member of the team with the columns the list filters and sorts on (a CTE,
 * with the team's policy before it). Each member's factors are joined through one hash
 * aggregate over the team's factors — never looked up per member.
 */
function memberStates(teamId: string) {
  // A CTE referenced twice is computed once: the accepted kinds are worked out once, not per factor row.
  const policy = db()
    .$with("policy")
    .as(
      db()
        .select({
          required: teams.requireTwoFactor,
          accepted: acceptedKindsSql(teams.allowedMethods, teams.smsBackupOnly).as("accepted_kinds"),
        })
        .from(teams)
        .where(eq(teams.id, teamId)),
    );
  const held = db()
    .select({
      userId: factors.userId,
      accepted: sql<boolean>`bool_or(${factors.kind} = any(${policy.accepted}))`.as("accepted"),
    })
    .from(memberships)
    .innerJoin(factors, eq(factors.userId, memberships.userId))
    .crossJoin(policy)
    .where(eq(memberships.teamId, teamId))
    .groupBy(factors.userId)
    .as("held");
  const member = db()
    .$with("member")
    .as(
      db()
        .select({
          userId: users.id,
          name: users.name,
          email: users.email,
          role: memberships.role,
          lastSignInAt: users.lastSignInAt,
          lastTwoFactorAt: users.lastTwoFactorAt,
          required: sql<boolean>`${policy.required}`.as("required"),
          hasFactor: sql<boolean>`(${held.userId} is not null)`.as("has_factor"),
          status: sql<MemberStatus>`case when ${policy.required} and not coalesce(${held.accepted}, false) then 'missing' when ${held.userId} is not null then 'on' else 'off' end`.as(
            "status",
          ),
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .crossJoin(policy)
        .leftJoin(held, eq(held.userId, memberships.userId))
        .where(eq(memberships.teamId, teamId)),
    );
  return { policy, member };
}

/** The member columns of either query level (the whole team, or the page). */
type Columns = Record<"userId" | "name" | "email" | "role" | "status" | "lastSignInAt" | "lastTwoFactorAt", AnyColumn | SQLWrapper>;

function matching(member: Columns, status: MemberStatusFilter, q: string): SQL | undefined {
  const pattern = q ? `%${escapeLike(q)}%` : null;
  return and(
    status === "all" ? undefined : sql`${member.status} = ${status}`,
    pattern ? sql`(${member.name} ilike ${pattern} escape '\\' or ${member.email} ilike ${pattern} escape '\\')` : undefined,
  );
}

/** The sort, then name and user id, so that equal keys never swap places between pages. */
function ordering(member: Columns, sort: MemberSort, dir: SortDirection): SQL[] {
  const by = dir === "asc" ? asc : desc;
  const name = asc(sql`lower(${member.name})`);
  // "Never" is the oldest time: first going up, last going down.
  const time = (column: Columns["lastSignInAt"]) => sql`${column} ${sql.raw(dir === "asc" ? "asc nulls first" : "desc nulls last")}`;
  const primary: Record<MemberSort, SQL> = {
    name: by(sql`lower(${member.name})`),
    email: by(member.email),
    role: by(member.role),
    status: by(sql`case ${member.status} when 'missing' then 0 when 'off' then 1 else 2 end`),
    last_sign_in: time(member.lastSignInAt),
    last_two_factor: time(member.lastTwoFactorAt),
  };
  return sort === "name" ? [primary.name, asc(member.email), asc(member.userId)] : [primary[sort], name, asc(member.userId)];
}

/**
 * A page of the team's members with their 2FA status, methods, default method, recovery
 * codes left and last sign-in / 2FA use, filtered, searched (name or email, any case) and
 * sorted in the database. One query: the members' states are computed once (a CTE) and
 * feed both the counts and the page, whose per-member details are read for its rows only.
 * A page past the end costs a second query, for the last page.
 */
export async function listTeamMembers(teamId: string, query: MemberQuery = {}): Promise<MemberPage> {
  const status = query.status ?? "all";
  const q = (query.q ?? "").trim().slice(0, MAX_SEARCH_LENGTH);
  const sort = query.sort ?? "name";
  const dir = query.dir ?? defaultDirection(sort);
  const pageSize = Math.max(1, Math.min(Math.trunc(query.pageSize ?? MEMBERS_PAGE_SIZE) || MEMBERS_PAGE_SIZE, MAX_MEMBERS_PAGE_SIZE));
  // Bounded before it becomes an OFFSET: a page number from a URL can be any size.
  const asked = Math.min(Math.max(1, Math.trunc(query.page ?? 1) || 1), MAX_PAGE);

  const first = await pageQuery(teamId, { status, q, sort, dir, pageSize, page: asked });
  const { members, withTwoFactor, missing, required, total } = first.counts;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(asked, pageCount);
  const rows = page === asked ? first.rows : (await pageQuery(teamId, { status, q, sort, dir, pageSize, page })).rows;
  return { rows, total, page, pageSize, pageCount, summary: { members, withTwoFactor, missing, required } };
}

async function pageQuery(
  teamId: string,
  { status, q, sort, dir, pageSize, page }: { status: MemberStatusFilter; q: string; sort: MemberSort; dir: SortDirection; pageSize: number; page: number },
) {
  const { policy, member } = memberStates(teamId);
  const filter = matching(member, status, q);
  const counts = db()
    .select({
      members: sql<number>`count(*)`.mapWith(Number).as("members"),
      withTwoFactor: sql<number>`count(*) filter (where ${member.hasFactor})`.mapWith(Number).as("with_two_factor"),
      missing: sql<number>`count(*) filter (where ${member.status} = 'missing')`.mapWith(Number).as("missing"),
      required: sql<boolean>`coalesce(bool_or(${member.required}), false)`.mapWith(Boolean).as("required"),
      total: (filter ? sql<number>`count(*) filter (where ${filter})` : sql<number>`count(*)`).mapWith(Number).as("total"),
    })
    .from(member)
    .as("counts");
  const shown = db()
    .select({
      userId: member.userId,
      name: member.name,
      email: member.email,
      role: member.role,
      status: member.status,
      lastSignInAt: member.lastSignInAt,
      lastTwoFactorAt: member.lastTwoFactorAt,
    })
    .from(member)
    .where(filter)
    .orderBy(...ordering(member, sort, dir))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .as("shown");
  // Lateral: the per-member details are read for the rows of this page only.
  const kinds = db()
    .select({
      methods: sql<string[]>`coalesce(array_agg(distinct ${factors.kind}::text), '{}')`.as("methods"),
      defaultMethod: sql<FactorKind | null>`(array_agg(${factors.kind}::text) filter (where ${factors.isDefault}))[1]`.as("default_method"),
    })
    .from(factors)
    .where(eq(factors.userId, shown.userId))
    .as("kinds");
  const codes = db()
    .select({ left: sql<number>`count(*)`.mapWith(Number).as("codes_left") })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, shown.userId), isNull(recoveryCodes.consumedAt)))
    .as("codes");
  // From the counts (always one row) to the page's rows (perhaps none), so the counts come back either way.
  const result = await db()
    .with(policy, member)
    .select({
      counts: { members: counts.members, withTwoFactor: counts.withTwoFactor, missing: counts.missing, required: counts.required, total: counts.total },
      userId: shown.userId,
      name: shown.name,
      email: shown.email,
      role: shown.role,
      status: shown.status,
      lastSignInAt: shown.lastSignInAt,
      lastTwoFactorAt: shown.lastTwoFactorAt,
      methods: kinds.methods,
      defaultMethod: kinds.defaultMethod,
      recoveryCodesLeft: codes.left,
      // This team's live request, and whether it waits for another team (per row of the page only).
      reset: sql<MemberRow["reset"]>`case when exists (select 1 from ${twoFactorResets} where ${twoFactorResets.userId} = ${shown.userId} and ${twoFactorResets.teamId} = ${teamId} and ${liveResetRequest}) then case when ${waitingOnAnotherTeam(shown.userId)} then 'waiting' else 'ready' end end`,
    })
    .from(counts)
    .leftJoin(shown, sql`true`)
    .leftJoinLateral(kinds, sql`true`)
    .leftJoinLateral(codes, sql`true`)
    .orderBy(...ordering(shown, sort, dir));

  const rows: MemberRow[] = [];
  for (const row of result) {
    if (row.userId === null) continue;
    rows.push({
      userId: row.userId,
      name: row.name!,
      email: row.email!,
      role: row.role!,
      status: row.status!,
      lastSignInAt: row.lastSignInAt,
      lastTwoFactorAt: row.lastTwoFactorAt,
      methods: FACTOR_KINDS.filter((kind) => row.methods?.includes(kind)),
      defaultMethod: row.defaultMethod ?? null,
      recoveryCodesLeft: row.recoveryCodesLeft ?? 0,
      reset: row.reset ?? null,
    });
  }
  return { counts: result[0]!.counts, rows };
}
