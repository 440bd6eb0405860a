import { handleTwilioStatus } from "@/lib/messaging/twilio-status";

export const dynamic = "force-dynamic";

/** Twilio's callbacks are a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 16 * 1024;

/** Twilio reports what became of an SMS or call (lib/messaging/twilio-status.ts). */
export async function POST(request: Request) {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) return new Response(null, { status: 413 });
  const body = await request.text();
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return new Response(null, { status: 413 });
  const { status } = await handleTwilioStatus({
    signature: request.headers.get("x-twilio-signature"),
    body,
    query: new URL(request.url).search,
  });
  return new Response(null, { status, headers: { "Cache-Control": "no-store" } });
}
