import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { outbox } from "@/lib/db/schema";
import type { Lookup, Message, MessageProvider, SendContext } from "../types";

/**
 * The embedded provider: keeps every message, text included, in the database for /dev/outbox.
 * The outbox row takes the delivery row's id, so a message is one id wherever it is looked up.
 */
export const outboxProvider: MessageProvider = {
  name: "outbox",
  async send(message: Message, { deliveryId }: SendContext) {
    await db()
      .insert(outbox)
      .values({ id: deliveryId, channel: message.channel, to: message.to, subject: message.subject ?? null, text: message.text });
    return { providerMessageId: deliveryId, status: "delivered" };
  },
  // Sending is one local insert: the row is there (delivered) or the send never happened (failed).
  async lookup({ deliveryId }: Lookup) {
    const [row] = await db().select({ id: outbox.id }).from(outbox).where(eq(outbox.id, deliveryId));
    return {
      matches: [
        row
          ? { providerMessageId: row.id, status: "delivered", error: null }
          : { providerMessageId: null, status: "failed", error: "The outbox holds no such message: it was never stored." },
      ],
    };
  },
};
