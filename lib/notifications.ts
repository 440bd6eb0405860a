import { and, eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { memberships, users } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import type { RequestMeta } from "@/lib/audit";
import { describeUserAgent } from "@/lib/format/user-agent";
import { formatTime } from "@/lib/format/time";
import { greeting } from "@/lib/messaging/display-name";

/** When and from which browser a change was made, for the end of a notification. */
function whenAndWhere(meta?: RequestMeta): string[] {
  return meta ? ["", `When: ${formatTime(new Date())}`, `Browser: ${describeUserAgent(meta.userAgent)}${meta.ip ? ` (IP ${meta.ip})` : ""}`] : [];
}

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
      text: [greeting(user.name), "", ...lines, ...whenAndWhere(meta), "", "If this wasn't you, change your password and review Settings → Security now."].join("\n"),
    });
  } catch (error) {
    console.error("security notification failed", error instanceof Error ? error.message : error);
  }
}

/**
 * Emails every owner of a team about a change to what the team can spend or send (credits,
 * SMS countries, a pause). Sent after the change committed, one email per owner; a failed
 * email is logged and never undoes the change. `meta` names who did it from where.
 */
export async function notifyTeamOwners(teamId: string, subject: string, lines: string[], meta?: RequestMeta): Promise<void> {
  try {
    const owners = await db()
      .select({ email: users.email, name: users.name })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.teamId, teamId), eq(memberships.role, "owner")));
    for (const owner of owners) {
      await send({
        channel: "email",
        to: owner.email,
        subject,
        text: [greeting(owner.name), "", ...lines, ...whenAndWhere(meta), "", "You get this because you own the team. If nobody on the team expected it, review Team → Audit log now."].join("\n"),
      });
    }
  } catch (error) {
    console.error("team owners notification failed", error instanceof Error ? error.message : error);
  }
}
