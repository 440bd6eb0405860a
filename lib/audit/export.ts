import { and, eq } from "drizzle-orm";
import { blockedAt, SETUP_REQUIRED_MESSAGE } from "@/lib/auth/policy-gate";
import { db } from "@/lib/db";
import { memberships, teams } from "@/lib/db/schema";
import { isUuid } from "@/lib/db/uuid";
import { CSV_BOM, csvRow } from "./csv";
import { listTeamEvents, MAX_PAGE_SIZE, type TeamEvent, type TeamEventFilters } from "./team-log";

/** Rows one export holds at most; past it the file says so in its last row. */
export const EXPORT_ROW_CAP = 50_000;


export const EXPORT_MESSAGES = {
  SIGNED_OUT: "Sign in to export the audit log.",
  FORBIDDEN: "Only an owner or admin of this team can export its audit log.",
} as const;

const HEADER = ["Time (UTC)", "Event", "Description", "Member", "Member email", "Actor", "Actor email", "IP address", "Device", "User agent", "Details", "Data", "Event ID"];

function toRow(event: TeamEvent): string {
  return csvRow([
    event.createdAt,
    event.type,
    event.description,
    event.member?.name,
    event.member?.email,
    event.actor?.name,
    event.actor?.email,
    event.ip,
    event.device,
    event.userAgent,
    event.details,
    event.data,
    event.id,
  ]);
}

/** "Acme Corp." → "acme-corp": ASCII only, so the header needs no encoding. */
function slug(name: string): string {
  return (
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40)
      .replace(/-+$/, "") || "team"
  );
}

export type AuditExport =
  | { ok: true; filename: string; body: ReadableStream<Uint8Array> }
  | { ok: false; status: 401 | 403; message: string };

/**
 * Everything the CSV export route decides, apart from reading the session: the signed-in
 * user must be an owner or admin of the team (checked in the database, not in the team
 * cookie) and not held by a 2FA requirement at `path`. The body is a stream that reads the
 * log a page at a time (`listTeamEvents`, MAX_PAGE_SIZE rows a query) only as the client
 * downloads it, up to EXPORT_ROW_CAP rows.
 */
export async function startTeamAuditExport(input: {
  user: { id: string } | null;
  path: string;
  teamId: string | null | undefined;
  filters?: TeamEventFilters;
  now?: Date;
  cap?: number;
}): Promise<AuditExport> {
  if (!input.user) return { ok: false, status: 401, message: EXPORT_MESSAGES.SIGNED_OUT };
  if (await blockedAt(input.user.id, input.path)) return { ok: false, status: 403, message: SETUP_REQUIRED_MESSAGE };
  const teamId = isUuid(input.teamId) ? input.teamId : null;
  const [team] = teamId
    ? await db()
        .select({ name: teams.name, role: memberships.role })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, input.user.id)))
    : [];
  if (!team || (team.role !== "owner" && team.role !== "admin")) return { ok: false, status: 403, message: EXPORT_MESSAGES.FORBIDDEN };

  const date = (input.now ?? new Date()).toISOString().slice(0, 10);
  return { ok: true, filename: `tessera-audit-${slug(team.name)}-${date}.csv`, body: csvStream(teamId!, input.filters ?? {}, input.cap ?? EXPORT_ROW_CAP) };
}

function csvStream(teamId: string, filters: TeamEventFilters, cap: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | null = null;
  let written = 0;
  let started = false;
  // One page per pull: the next query waits until the client has taken the previous page.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvRow(HEADER)));
        return;
      }
      const page = await listTeamEvents(teamId, { ...filters, before: cursor, limit: Math.min(MAX_PAGE_SIZE, cap - written) });
      if (page.events.length > 0) controller.enqueue(encoder.encode(page.events.map(toRow).join("")));
      written += page.events.length;
      cursor = page.olderCursor;
      if (cursor && written >= cap) {
        controller.enqueue(encoder.encode(csvRow([`Export stopped at ${cap.toLocaleString("en-US")} events. Filter by member or event to export the rest.`])));
      }
      if (!cursor || written >= cap) controller.close();
    },
  });
}
