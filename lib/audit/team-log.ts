import { and, asc, desc, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias, unionAll, type PgColumn } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/lib/db";
import { auditEvents, memberships, users } from "@/lib/db/schema";
import { isUuid } from "@/lib/db/uuid";
import { describeUserAgent } from "@/lib/format/user-agent";
import { AUDIT_EVENTS, describeEvent, type AuditType } from ".";
import { summarizeEventData } from "./describe";

/** Most rows one call returns (the CSV export reads in pages of this size). */
export const MAX_PAGE_SIZE = 1000;

/**
 * What a team's owners and admins see of a member's *personal* events (team_id null): whether
 * their 2FA holds — factors added or removed (by kind), 2FA turned on or off — and when they
 * passed a second factor at sign-in. Time and kind only: never an IP, a user agent or a factor's
 * name, so joining a team (an attacker's too) never tells it where someone signs in. The member
 * sees everything on their own Security page.
 */
const MEMBER_EVENTS = ["factor.added", "factor.removed", "two_factor.enabled", "two_factor.disabled", "sign_in.succeeded"] as const satisfies AuditType[];

/** A sign-in shows only when a second factor was passed (not a password-only or remembered-device one). */
const FACTOR_SIGN_INS = ["totp", "email", "sms", "webauthn", "recovery_code"];

/**
 * Team events that only an owner or admin can cause, done in this team: they keep the IP and
 * device, which are then the admin's own, of an action inside the team. Any other team event
 * (an invitation accepted, a sign-up) is shown without them, as are types added later until
 * listed here.
 */
const ADMIN_ACTIONS: ReadonlySet<string> = new Set<AuditType>([
  "policy.changed",
  "credits.added",
  "sms_settings.changed",
  "sms.resumed",
  "invitation.sent",
  "invitation.revoked",
  "member.role_changed",
  "member.removed",
  "member.two_factor_reset",
  "member.reminded",
  "api_key.created",
  "api_key.revoked",
]);

/** How the team's log names a member's sign-in: what it shows of it is that 2FA was passed. */
const TEAM_DESCRIPTIONS: Partial<Record<AuditType, string>> = { "sign_in.succeeded": "Passed two-factor authentication at sign-in" };

const TEAM_TYPE = /^(user\.signed_up|policy|credits|sms|sms_settings|invitation|member|api_key)\./;

/** The event types a team's log can hold, for its filter: the team's own and MEMBER_EVENTS. */
export const TEAM_LOG_TYPES: AuditType[] = (Object.keys(AUDIT_EVENTS) as AuditType[]).filter(
  (type) => TEAM_TYPE.test(type) || (MEMBER_EVENTS as readonly string[]).includes(type),
);

export const teamEventDescription = (type: string) => (Object.hasOwn(TEAM_DESCRIPTIONS, type) ? TEAM_DESCRIPTIONS[type as AuditType]! : describeEvent(type));

export type TeamEventFilters = {
  /** Events about this user (or done by them, for team events). */
  userId?: string | null;
  /** One AUDIT_EVENTS type. */
  type?: string | null;
};

type Person = { id: string; name: string; email: string };

/**
 * The filters of the log page and its CSV export, from the query string: a member's id and
 * one known event type; anything else is dropped, so both show the same events for one URL.
 */
export function auditFiltersFrom(params: { get(name: string): string | null }): { userId: string | null; type: AuditType | null } {
  const member = params.get("member");
  const type = params.get("type");
  return { userId: isUuid(member) ? member : null, type: type && (TEAM_LOG_TYPES as string[]).includes(type) ? (type as AuditType) : null };
}

export type TeamEvent = {
  id: string;
  type: string;
  description: string;
  createdAt: Date;
  /** Who the event is about; null for team-wide events (a policy change) or a deleted account. */
  member: Person | null;
  /** Who did it, when someone else than the member did (an admin). */
  actor: Person | null;
  ip: string | null;
  userAgent: string | null;
  /** "Chrome on macOS"; null when the event has no user agent. */
  device: string | null;
  data: Record<string, unknown>;
  /** The data in words ("Method: Authenticator app"); empty when there is nothing to say. */
  details: string;
};

export type TeamEventPage = {
  events: TeamEvent[];
  /** Pass as `before` for the next older page; null on the oldest page. */
  olderCursor: string | null;
  /** Pass as `after` for the next newer page; null on the newest page. */
  newerCursor: string | null;
};

type Cursor = { at: string; id: string };

// PostgreSQL's text form of a timestamptz, e.g. "2026-05-01 12:00:00.123456+00".
const PG_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/**
 * The cursor carries the database's own text of `created_at`: a JS Date keeps only
 * milliseconds, and events written within one millisecond would be skipped or repeated.
 */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`).toString("base64url");
}

/** A cursor from a URL; anything malformed reads as no cursor (the newest page). */
export function decodeCursor(value: string | null | undefined): Cursor | null {
  if (!value || value.length > 200) return null;
  const [at, id, extra] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (extra !== undefined || !at || !id || !PG_TIME.test(at) || !isUuid(id)) return null;
  return { at, id };
}

/** Keyset condition on (created_at, id); the plain bound on created_at lets the (…, created_at) indexes range-scan. */
function beyond(cursor: Cursor | null, direction: "older" | "newer"): SQL | undefined {
  if (!cursor) return undefined;
  const at = sql`${cursor.at}::timestamptz`;
  return direction === "older"
    ? and(lte(auditEvents.createdAt, at), sql`(${auditEvents.createdAt}, ${auditEvents.id}) < (${at}, ${cursor.id}::uuid)`)
    : and(gte(auditEvents.createdAt, at), sql`(${auditEvents.createdAt}, ${auditEvents.id}) > (${at}, ${cursor.id}::uuid)`);
}

const order = (direction: "older" | "newer", ...columns: (PgColumn | SQL)[]) => columns.map((c) => (direction === "older" ? desc(c) : asc(c)));

/**
 * The team's audit log, newest first, a page at a time:
 *  - events recorded for the team (policy, members, invitations, credits, API keys), with
 *    the IP and device only for ADMIN_ACTIONS, and
 *  - of its current members' personal events (team_id null) only MEMBER_EVENTS, since they
 *    joined, by time and kind — never what they did before joining, never where from, nor
 *    anything recorded for another team.
 * Keyset paging on (created_at, id): `before` pages towards older events, `after` back
 * towards newer ones, both cursors this function returned. Two queries in all: the page's
 * ids (a UNION ALL of the team's events and, per member, a LATERAL index scan of that
 * member's events, each branch cut at the page size), then the rows with names.
 */
export async function listTeamEvents(
  teamId: string,
  options: TeamEventFilters & { before?: string | null; after?: string | null; limit?: number } = {},
  ex: Executor = db(),
): Promise<TeamEventPage> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 50), MAX_PAGE_SIZE));
  const before = decodeCursor(options.before);
  const after = before ? null : decodeCursor(options.after);
  const direction = after ? "newer" : "older";
  const cursor = before ?? after;
  const userId = isUuid(options.userId) ? options.userId : null;
  if (options.userId && !userId) return { events: [], olderCursor: null, newerCursor: null };
  const ofType = options.type ? eq(auditEvents.type, options.type) : undefined;

  const teamRows = ex
    .select({ id: auditEvents.id, createdAt: auditEvents.createdAt })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.teamId, teamId),
        userId ? or(eq(auditEvents.userId, userId), eq(auditEvents.actorId, userId)) : undefined,
        ofType,
        beyond(cursor, direction),
      ),
    )
    .orderBy(...order(direction, auditEvents.createdAt, auditEvents.id))
    .limit(limit + 1);
  // Correlated with the outer `memberships` row: one member's own events since joining.
  const ownRows = ex
    .select({ id: auditEvents.id, createdAt: auditEvents.createdAt })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.userId, memberships.userId),
        isNull(auditEvents.teamId),
        inArray(auditEvents.type, [...MEMBER_EVENTS]),
        or(ne(auditEvents.type, "sign_in.succeeded"), inArray(sql`${auditEvents.data}->>'method'`, FACTOR_SIGN_INS)),
        gte(auditEvents.createdAt, memberships.createdAt),
        ofType,
        beyond(cursor, direction),
      ),
    )
    .orderBy(...order(direction, auditEvents.createdAt, auditEvents.id))
    .limit(limit + 1)
    .as("own");
  const memberRows = ex
    .select({ id: ownRows.id, createdAt: ownRows.createdAt })
    .from(memberships)
    .innerJoinLateral(ownRows, sql`true`)
    .where(and(eq(memberships.teamId, teamId), userId ? eq(memberships.userId, userId) : undefined));
  const page = unionAll(teamRows, memberRows)
    .orderBy(...order(direction, sql`${sql.identifier("created_at")}`, sql`${sql.identifier("id")}`))
    .limit(limit + 1)
    .as("page");

  const member = alias(users, "member");
  const actor = alias(users, "actor");
  const rows = await ex
    .select({
      id: auditEvents.id,
      type: auditEvents.type,
      teamId: auditEvents.teamId,
      createdAt: auditEvents.createdAt,
      at: sql<string>`${auditEvents.createdAt}::text`,
      ip: auditEvents.ip,
      userAgent: auditEvents.userAgent,
      data: auditEvents.data,
      memberId: member.id,
      memberName: member.name,
      memberEmail: member.email,
      actorId: actor.id,
      actorName: actor.name,
      actorEmail: actor.email,
    })
    .from(page)
    .innerJoin(auditEvents, eq(auditEvents.id, page.id))
    .leftJoin(member, eq(member.id, auditEvents.userId))
    .leftJoin(actor, eq(actor.id, auditEvents.actorId))
    .orderBy(...order(direction, auditEvents.createdAt, auditEvents.id));

  const more = rows.length > limit;
  const kept = rows.slice(0, limit);
  if (direction === "newer") kept.reverse();
  // A page reached through a cursor came from a neighbour, so that side has events.
  const hasOlder = direction === "newer" || more;
  const hasNewer = direction === "newer" ? more : before !== null;
  const first = kept[0];
  const last = kept.at(-1);
  return {
    events: kept.map((row) => {
      const memberPerson = row.memberId ? { id: row.memberId, name: row.memberName!, email: row.memberEmail! } : null;
      const actorPerson = row.actorId && row.actorId !== row.memberId ? { id: row.actorId, name: row.actorName!, email: row.actorEmail! } : null;
      const personal = row.teamId === null;
      const where = !personal && ADMIN_ACTIONS.has(row.type);
      // A personal event keeps only its factor kind: a factor's name is the member's own words.
      const data = personal ? (typeof row.data?.kind === "string" ? { kind: row.data.kind } : {}) : row.data;
      return {
        id: row.id,
        type: row.type,
        description: teamEventDescription(row.type),
        createdAt: row.createdAt,
        member: memberPerson,
        actor: actorPerson,
        ip: where ? row.ip : null,
        userAgent: where ? row.userAgent : null,
        device: where && row.userAgent ? describeUserAgent(row.userAgent) : null,
        data,
        details: summarizeEventData(data),
      };
    }),
    olderCursor: hasOlder && last ? encodeCursor({ at: last.at, id: last.id }) : null,
    newerCursor: hasNewer && first ? encodeCursor({ at: first.at, id: first.id }) : null,
  };
}

/** Who the member filter offers: the team's current members, by name. */
export async function listTeamMembersForAudit(teamId: string, ex: Executor = db()): Promise<Person[]> {
  return ex
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.teamId, teamId))
    .orderBy(asc(sql`lower(${users.name})`), asc(users.email));
}
