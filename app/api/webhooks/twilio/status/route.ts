import { readBody } from "@/lib/http/read-body";
import { handleTwilioStatus } from "@/lib/messaging/twilio-status";

export const dynamic = "force-dynamic";

/** Twilio's callbacks are a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

/** Twilio reports what became of an SMS or call (lib/messaging/twilio-status.ts). */
export async function POST(request: Request) {
  // Read with a cap, chunked bodies included: the endpoint is open to anyone until the signature is checked.
  const body = await readBody(request, MAX_BODY_BYTES);
  if (!body.ok) return new Response(null, { status: 413 });
  const { status } = await handleTwilioStatus({
    signature: request.headers.get("x-twilio-signature"),
    body: new TextDecoder().decode(body.bytes),
    query: new URL(request.url).search,
  });
  return new Response(null, { status, headers: { "Cache-Control": "no-store" } });
}
