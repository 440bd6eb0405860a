import { db } from "@/lib/db";
import { outbox } from "@/lib/db/schema";
import type { Message, MessageProvider } from "../types";

/** The embedded provider: keeps every message in the database for /dev/outbox. */
export const outboxProvider: MessageProvider = {
  name: "outbox",
  async send(message: Message) {
    const [row] = await db()
      .insert(outbox)
      .values({ channel: message.channel, to: message.to, subject: message.subject ?? null, text: message.text })
      .returning({ id: outbox.id });
    return { id: row!.id, provider: "outbox" };
  },
};
