import { methodNotAllowed } from "@/lib/verify-api/http";
import { openApiDocument } from "@/lib/verify-api/openapi";

/** The Verify API's OpenAPI 3.1 document. Public: it tells nothing a key would protect, and tools fetch it without one. */
export function GET(): Response {
  return new Response(JSON.stringify(openApiDocument(), null, 2), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      // Five minutes: the document only changes with a deploy or a new public URL.
      "cache-control": "public, max-age=300",
    },
  });
}

const notAllowed = methodNotAllowed("GET");
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
