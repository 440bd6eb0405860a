import { db } from "@/lib/db";
import { outbox } from "@/lib/db/schema";
import type { Message, MessageProvider, SendContext } from "../types";

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
};
