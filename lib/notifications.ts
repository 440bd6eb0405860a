import { eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { users } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import type { RequestMeta } from "@/lib/audit";
import { describeUserAgent } from "@/lib/format/user-agent";
import { formatTime } from "@/lib/format/time";
import { greeting } from "@/lib/messaging/display-name";

/**
 * Emails the account owner about a security change. Sent after the change committed; a
 * failed email is logged and never undoes the change.
 */
export async function notifyUser(userId: string, subject: string, lines: string[], meta?: RequestMeta): Promise<void> {
  try {
    const [user] = await db().select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
    if (!user) return;
    const context = meta ? ["", `When: ${formatTime(new Date())}`, `Browser: ${describeUserAgent(meta.userAgent)}${meta.ip ? ` (IP ${meta.ip})` : ""}`] : [];
    await send({
      channel: "email",
      to: user.email,
      subject,
      text: [greeting(user.name), "", ...lines, ...context, "", "If this wasn't you, change your password and review Settings → Security now."].join("\n"),
    });
  } catch (error) {
    console.error("security notification failed", error instanceof Error ? error.message : error);
  }
}
