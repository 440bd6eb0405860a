import type { Channel } from "@/lib/db/schema";

export type Message = {
  channel: Channel;
  /** An email address, or a phone number in E.164. */
  to: string;
  /** Email only. */
  subject?: string;
  text: string;
};

export type SendResult = { id: string; provider: string };

export interface MessageProvider {
  readonly name: string;
  send(message: Message): Promise<SendResult>;
}
