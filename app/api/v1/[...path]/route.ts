import { routeNotFound } from "@/lib/verify-api/http";

// Paths under /api/v1 that are no endpoint answer in the API's JSON error shape, not with
// Next's HTML 404. Static routes (verifications, openapi.json) and [id] routes match first.
export const dynamic = "force-dynamic";

export const GET = routeNotFound;
export const POST = routeNotFound;
export const PUT = routeNotFound;
export const PATCH = routeNotFound;
export const DELETE = routeNotFound;
