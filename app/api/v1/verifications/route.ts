import { apiRoute, methodNotAllowed } from "@/lib/verify-api/http";
import { createVerificationSchema } from "@/lib/verify-api/schemas";
import { createVerification } from "@/lib/verify-api/verifications";

// Every answer depends on the request and the database: nothing here may be cached.
export const dynamic = "force-dynamic";

export const POST = apiRoute<Record<string, never>, typeof createVerificationSchema>(
  { body: createVerificationSchema, idempotent: true, successStatus: 201 },
  ({ principal, input }) => createVerification(principal, input),
);

const notAllowed = methodNotAllowed("POST");
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
