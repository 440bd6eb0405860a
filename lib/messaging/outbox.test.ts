import { describe, expect, it } from "vitest";
import { listOutbox, OUTBOX_PAGE_SIZE, send } from ".";

describe("messaging through the outbox", () => {
  it("stores each message and lists them newest first, a page at a time", async () => {
    for (let i = 0; i < OUTBOX_PAGE_SIZE + 5; i++) {
      await send({ channel: i % 2 ? "sms" : "email", to: i % 2 ? "+14155550100" : "a@example.com", subject: i % 2 ? undefined : `#${i}`, text: `message ${i}` });
    }
    const first = await listOutbox();
    expect(first.messages).toHaveLength(OUTBOX_PAGE_SIZE);
    expect(first.messages[0]!.text).toBe(`message ${OUTBOX_PAGE_SIZE + 4}`);
    expect(first.nextBefore).toBeDefined();
    const second = await listOutbox(first.nextBefore);
    expect(second.messages.map((m) => m.text)).toEqual(["message 4", "message 3", "message 2", "message 1", "message 0"]);
    expect(second.nextBefore).toBeUndefined();
    expect(second.messages[4]).toMatchObject({ channel: "email", to: "a@example.com", subject: "#0" });
  });

  it("returns the stored message's id and provider", async () => {
    const result = await send({ channel: "email", to: "b@example.com", subject: "Hi", text: "Hello" });
    expect(result.provider).toBe("outbox");
    expect((await listOutbox()).messages[0]!.id).toBe(result.id);
  });
});
