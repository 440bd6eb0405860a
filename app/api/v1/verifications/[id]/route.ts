import { apiRoute, methodNotAllowed } from "@/lib/verify-api/http";
import { getVerification } from "@/lib/verify-api/verifications";

// Every answer depends on the request and the database: nothing here may be cached.
export const dynamic = "force-dynamic";

export const GET = apiRoute<{ id: string }>({}, ({ principal, params }) => getVerification(principal, params.id));

const notAllowed = methodNotAllowed("GET");
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
