import { and, eq, isNull, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { teams } from "@/lib/db/schema";
import { formatTime } from "@/lib/format/time";
import { safeDisplayName } from "@/lib/messaging/display-name";
import { notifyTeamOwners } from "@/lib/notifications";
import { rateLimit } from "@/lib/rate-limit";
import { rangeLabel } from "./numbers";
import { RANGE_BURST_PER_HOUR, type OverLimit } from "./velocity";

/** Where owners see and resume a pause (app/(dashboard)/team/sms). */
export const SMS_SETTINGS_PATH = "/team/sms";

export const pauseReason = (range: string) =>
  `More than ${RANGE_BURST_PER_HOUR} codes within an hour went to numbers ${rangeLabel(range)}, one block of 1,000 numbers: the pattern of SMS pumping.`;

/**
 * The anomaly rule's answer to a burst: pauses every SMS and voice send of the team and
 * emails its owners. Runs after the reservation that went over the range limit was rolled
 * back, in a transaction of its own that writes the pause, its audit event and a marker
 * for the range together.
 *
 * Only the first crossing of a range's window pauses: the marker (`sms:range-paused:…`)
 * lives exactly as long as the range's counter. After an owner resumes, the range's counter
 * is still over its limit, so messages to that block stay refused until the window ends —
 * but they do not pause the team again at once, which would make resuming pointless. A
 * burst at another block, or at the same block in a later window, pauses again.
 * A team already paused is left as it is (one audit event, one email per pause).
 */
export async function pauseForBurst(teamId: string, over: OverLimit): Promise<void> {
  const reason = pauseReason(over.range);
  const paused = await db().transaction(async (tx) => {
    const first = await rateLimit(`sms:range-paused:${teamId}:${over.range}`, { limit: 1, windowSeconds: over.retryAfterSeconds }, tx);
    if (!first.allowed) return null;
    const [row] = await tx
      .update(teams)
      .set({ smsPausedAt: sql`now()`, smsPauseReason: reason })
      .where(and(eq(teams.id, teamId), isNull(teams.smsPausedAt)))
      .returning({ name: teams.name, pausedAt: teams.smsPausedAt });
    if (!row) return null;
    await recordAudit(tx, { type: "sms.paused", teamId, data: { reason, range: over.range, limit: RANGE_BURST_PER_HOUR, windowMinutes: 60 } });
    return row;
  });
  if (!paused) return;

  const team = safeDisplayName(paused.name) ?? "your team";
  await notifyTeamOwners(teamId, `SMS and voice codes are paused for ${team}`, [
    `Tessera paused text messages and voice calls for ${team} at ${formatTime(paused.pausedAt!)}. ${reason}`,
    "",
    "In SMS pumping, someone requests codes to numbers whose carrier pays them for every message, and the team's credits pay for it.",
    "",
    "While paused, no SMS or voice code of the team goes out: members' sign-in codes and the Verify API alike. Refused sends cost nothing. Email codes, authenticator apps and security keys keep working.",
    "",
    "Before resuming, look at the team's API keys (Team → Developers) and at any sign-up or verification form of yours that sends codes without a check such as a CAPTCHA.",
    `Then an owner resumes under Team → SMS & voice: ${new URL(SMS_SETTINGS_PATH, config.appUrl).toString()}`,
    `Numbers ${rangeLabel(over.range)} stay limited until this hour is over.`,
  ]);
}
