import { desc, lt } from "drizzle-orm";
import { db } from "@/lib/db";
import { outbox, type OutboxMessage } from "@/lib/db/schema";
import { outboxProvider } from "./providers/outbox";
import type { Message, MessageProvider, SendResult } from "./types";

export type { Message, SendResult } from "./types";

/**
 * The provider of every channel. The outbox is the only one built so far; real email and
 * SMS/voice providers will be chosen here from their environment variables.
 */
const provider: MessageProvider = outboxProvider;

/** The one way Tessera sends an email, SMS or voice message. */
export async function send(message: Message): Promise<SendResult> {
  return provider.send(message);
}

export const OUTBOX_PAGE_SIZE = 50;

/** Outbox messages newest first; `before` is the `seq` of the last message already shown. */
export async function listOutbox(before?: number): Promise<{ messages: OutboxMessage[]; nextBefore?: number }> {
  const rows = await db()
    .select()
    .from(outbox)
    .where(before ? lt(outbox.seq, before) : undefined)
    .orderBy(desc(outbox.seq))
    .limit(OUTBOX_PAGE_SIZE + 1);
  const messages = rows.slice(0, OUTBOX_PAGE_SIZE);
  return { messages, nextBefore: rows.length > OUTBOX_PAGE_SIZE ? messages.at(-1)!.seq : undefined };
}
