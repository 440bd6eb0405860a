import { and, eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { memberships, users } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import type { RequestMeta } from "@/lib/audit";
import { describeUserAgent } from "@/lib/format/user-agent";
import { formatTime } from "@/lib/format/time";
import { greeting } from "@/lib/messaging/display-name";
import { log } from "@/lib/log";

/** When, and from which browser and address, a change was made: the lines under a notice. */
const requestLines = (meta?: RequestMeta) =>
  meta ? ["", `When: ${formatTime(new Date())}`, `Browser: ${describeUserAgent(meta.userAgent)}${meta.ip ? ` (IP ${meta.ip})` : ""}`] : [];

/**
 * Emails the account owner about a security change. Sent after the change committed; a
 * failed email is logged and never undoes the change.
 */
export async function notifyUser(userId: string, subject: string, lines: string[], meta?: RequestMeta): Promise<void> {
  try {
    const [user] = await db().select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
    if (!user) return;
    await send({
      channel: "email",
      to: user.email,
      subject,
      text: [greeting(user.name), "", ...lines, ...requestLines(meta), "", "If this wasn't you, change your password and review Settings → Security now."].join("\n"),
    });
  } catch (error) {
    log.error("notifications.user_failed", { userId }, error);
  }
}

/**
 * Emails every owner of a team about a change to it (the one who made it too: a hijacked
 * session should reach the real person). After the commit; each failed email is logged on
 * its own and never undoes the change or stops the others.
 */
export async function notifyTeamOwners(teamId: string, subject: string, lines: string[], meta?: RequestMeta): Promise<void> {
  let owners: { email: string; name: string }[];
  try {
    owners = await db()
      .select({ email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner")));
  } catch (error) {
    log.error("notifications.owners_lookup_failed", { teamId }, error);
    return;
  }
  for (const owner of owners) {
    try {
      await send({ channel: "email", to: owner.email, subject, text: [greeting(owner.name), "", ...lines, ...requestLines(meta)].join("\n") });
    } catch (error) {
      log.error("notifications.owner_failed", { teamId }, error);
    }
  }
}
