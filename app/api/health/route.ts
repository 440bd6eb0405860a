export const dynamic = "force-dynamic";

/** Liveness: answers without touching the database (also the benchmark's baseline route). */
export function GET() {
  return Response.json({ ok: true });
}
