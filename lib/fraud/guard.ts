import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { teams } from "@/lib/db/schema";
import { classifyNumber, numberRefusal, type NumberInfo, type NumberRefusal, type SendUse } from "./numbers";
import type { OverLimit } from "./velocity";

export type { SendUse };

/** A paid message as the guard sees it: where it goes, how, and for whom. */
export type PaidMessage = { channel: "sms" | "voice"; to: string; use: SendUse };

export type SmsPaused = { code: "SMS_PAUSED"; reason: string | null };

/** Why the fraud controls refused a paid message. Nothing was debited, written or sent. */
export type GuardRefusal = NumberRefusal | SmsPaused | OverLimit;

/**
 * The checks that need no counting, in the credit reservation's transaction: the team's
 * pause, then the number (line type, country, VoIP) against the team's choices. They write
 * nothing; on a refusal `withCredit` rolls back what the caller's precheck counted, so the
 * refusal leaves no trace. A team that does not exist passes; the debit then finds no credits.
 */
export async function screenPaidSend(tx: Tx, teamId: string, message: PaidMessage): Promise<{ refusal: NumberRefusal | SmsPaused } | { info: NumberInfo }> {
  const info = classifyNumber(message.to);
  const [team] = await tx
    .select({
      countries: teams.smsCountries,
      voipMembers: teams.smsVoipMembers,
      voipApi: teams.smsVoipApi,
      pausedAt: teams.smsPausedAt,
      pauseReason: teams.smsPauseReason,
    })
    .from(teams)
    .where(eq(teams.id, teamId));
  if (!team) return { info };
  if (team.pausedAt) return { refusal: { code: "SMS_PAUSED", reason: team.pauseReason } };
  const refusal = numberRefusal(info, message.channel, message.use, team);
  return refusal ? { refusal } : { info };
}
