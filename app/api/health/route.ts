import { databaseAnswers } from "@/lib/db/health";
import { DATABASE_RETRY_AFTER_SECONDS } from "@/lib/db/unavailable";

export const dynamic = "force-dynamic";

/**
 * Liveness by default: answers without touching the database (also the benchmark's
 * baseline route), so a restart policy never kills an instance for a database outage.
 * `?deep=1` is readiness: 503 while the database does not answer, so a load balancer takes
 * the instance out until it does.
 */
export async function GET(request: Request) {
  if (!new URL(request.url).searchParams.has("deep")) return Response.json({ ok: true });
  if (await databaseAnswers()) return Response.json({ ok: true, database: "up" }, { headers: { "cache-control": "no-store" } });
  return Response.json(
    { ok: false, database: "unavailable" },
    { status: 503, headers: { "cache-control": "no-store", "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } },
  );
}
