import { startTeamAuditExport } from "@/lib/audit/export";
import { auditFiltersFrom } from "@/lib/audit/team-log";
import { currentUser } from "@/lib/auth/current-user";

/** GET /team/audit/export?team=…&member=…&type=… — the team's audit log as CSV. */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const params = url.searchParams;
  const result = await startTeamAuditExport({
    user: await currentUser(),
    path: url.pathname,
    teamId: params.get("team"),
    filters: auditFiltersFrom(params),
  });
  if (!result.ok) {
    return new Response(result.message, { status: result.status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
  return new Response(result.body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${result.filename}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
