import { apiRoute, methodNotAllowed } from "@/lib/verify-api/http";
import { fallbackSchema } from "@/lib/verify-api/schemas";
import { fallbackVerification } from "@/lib/verify-api/verifications";

// Every answer depends on the request and the database: nothing here may be cached.
export const dynamic = "force-dynamic";

export const POST = apiRoute<{ id: string }, typeof fallbackSchema>({ body: fallbackSchema }, ({ principal, input, params }) =>
  fallbackVerification(principal, params.id, input),
);

const notAllowed = methodNotAllowed("POST");
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
