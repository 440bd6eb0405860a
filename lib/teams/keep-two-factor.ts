import { and, eq, inArray, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { twoFactorResets, users } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { hashToken } from "@/lib/security/tokens";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { liveResetRequest } from "./reset-requests";
import { log } from "@/lib/log";

export const KEEP_MESSAGES = {
  INVALID: "This link is not valid. Check that you opened the whole link from the email.",
} as const;

const MAX_TOKEN_LENGTH = 200;

async function findRequest(ex: Executor, token: string) {
  if (!token || token.length > MAX_TOKEN_LENGTH) return null;
  const [row] = await ex
    .select({ id: twoFactorResets.id, userId: twoFactorResets.userId, live: sql<boolean>`${liveResetRequest}` })
    .from(twoFactorResets)
    .where(eq(twoFactorResets.cancelTokenHash, hashToken(token)));
  return row ?? null;
}

/** What the "keep my 2FA" page shows for a token (reading it changes nothing: mail scanners open links). */
export async function describeKeepLink(token: string): Promise<"live" | "done" | "invalid"> {
  const request = await findRequest(db(), token);
  return !request ? "invalid" : request.live ? "live" : "done";
}

export type KeepResult = { ok: true; canceled: number } | { ok: false; message: string };

/**
 * The member refuses a reset from the emailed link ("this wasn't requested — keep my 2FA"):
 * every live request for them is canceled, whichever team made it (one team's request alone
 * is never usable while another's waits, and whoever clicks says they lost nothing), each
 * audited, in one transaction; the admins who asked are emailed. A token whose own request is
 * no longer live (canceled, used, expired) does nothing, so a replayed link writes nothing.
 */
export async function keepTwoFactor(token: string, meta: RequestMeta): Promise<KeepResult> {
  const outcome = await db().transaction(async (tx) => {
    const found = await findRequest(tx, token);
    if (!found) return null;
    await lockUser(tx, found.userId);
    const [own] = await tx.select({ id: twoFactorResets.id }).from(twoFactorResets).where(and(eq(twoFactorResets.id, found.id), liveResetRequest));
    if (!own) return { userId: found.userId, canceled: [] };
    const canceled = await tx
      .update(twoFactorResets)
      .set({ canceledAt: sql`now()` })
      .where(and(eq(twoFactorResets.userId, found.userId), liveResetRequest))
      .returning({ id: twoFactorResets.id, teamId: twoFactorResets.teamId, requestedBy: twoFactorResets.requestedBy });
    for (const request of canceled) {
      await recordAudit(tx, { type: "member.two_factor_reset_canceled", teamId: request.teamId, userId: found.userId, actorId: found.userId, data: { requestId: request.id }, ...meta });
    }
    return { userId: found.userId, canceled };
  });
  if (!outcome) return { ok: false, message: KEEP_MESSAGES.INVALID };
  const admins = [...new Set(outcome.canceled.map((r) => r.requestedBy).filter((id): id is string => Boolean(id)))];
  if (admins.length > 0) await tellAdmins(outcome.userId, admins);
  return { ok: true, canceled: outcome.canceled.length };
}

/** The admins who asked learn it was refused: worth a word with the member, or a look at who asked. */
async function tellAdmins(memberId: string, adminIds: string[]) {
  try {
    const [member] = await db().select({ name: users.name }).from(users).where(eq(users.id, memberId));
    const admins = await db().select({ name: users.name, email: users.email }).from(users).where(inArray(users.id, adminIds));
    const name = safeDisplayName(member?.name) ?? "The member";
    for (const admin of admins) {
      await send({
        channel: "email",
        to: admin.email,
        subject: "A two-factor reset you asked for was canceled",
        text: [
          `Hi ${admin.name},`,
          "",
          `${name} said they did not ask for the reset of their two-factor authentication, and canceled it. Their second factors stay as they were.`,
          "If they do need a reset, talk to them first, then ask again from the team's Members page.",
        ].join("\n"),
      });
    }
  } catch (error) {
    log.error("teams.reset_cancel_notification_failed", {}, error);
  }
}
