import type { CountryCode } from "libphonenumber-js/max";
import { config } from "@/lib/config";
import type { Tx } from "@/lib/db";
import { rateLimit, type Counted } from "@/lib/rate-limit";
import type { NumberInfo } from "./numbers";

/**
 * The anomaly rule: more than this many paid messages from one team to one block of 1,000
 * numbers in an hour pauses the team's SMS and voice (lib/fraud/pause.ts). SMS pumping
 * walks through consecutive numbers a fraudulent carrier controls; real people's numbers
 * are spread over many blocks. 20 leaves room for a company whose staff hold consecutive
 * numbers of one contract, signing in on a Monday morning.
 */
export const RANGE_BURST_PER_HOUR = 20;

/**
 * The same block from every team together: an attacker who opens many teams must not get 20
 * per block per team. Going over it refuses without pausing anyone — which team started the
 * burst cannot be told, and each team's own rule still pauses the team that crosses it.
 */
export const RANGE_BURST_ALL_TEAMS_PER_HOUR = 50;

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Which limit refused: the team's block of numbers, the block from all teams, the team's country, minute or day, or the whole server's day. */
export type VelocityLimit = "range" | "range_all_teams" | "country" | "team_minute" | "team_day" | "all_teams_day";

export type OverLimit = {
  code: "OVER_LIMIT";
  limit: VelocityLimit;
  /** The limit's count, for messages. */
  max: number;
  retryAfterSeconds: number;
  range: string;
  country: CountryCode | null;
};

/**
 * Counts one paid message against every velocity limit, in the credit reservation's
 * transaction; the first limit it goes over, or null to go ahead. The caller rolls the
 * transaction back on a refusal, so a refused message counts toward none of them — above
 * all not toward the server-wide cap, which comes last: a team hammering its own limits, or
 * one with no credits left, must not use up what every other team may send.
 *
 * What it counted goes into `counted`, for `withCredit` to give back when the send fails.
 *
 * The range comes first so that a burst trips the anomaly rule whatever else it runs into.
 * The server-wide counter is one row every send of every team updates; the transaction
 * holding it is short (no provider call), so sends queue on it for moments only.
 */
export async function countVelocity(tx: Tx, teamId: string, info: NumberInfo, counted: Counted[] = []): Promise<OverLimit | null> {
  const { perMinute, perDay, perCountryPerHour } = config.smsVelocity;
  const limits: [VelocityLimit, string, number, number][] = [
    ["range", `sms:range:${teamId}:${info.range}`, RANGE_BURST_PER_HOUR, HOUR],
    ["range_all_teams", `sms:range:all-teams:${info.range}`, RANGE_BURST_ALL_TEAMS_PER_HOUR, HOUR],
    ["country", `sms:country:${teamId}:${info.country}`, perCountryPerHour, HOUR],
    ["team_minute", `sms:team:minute:${teamId}`, perMinute, MINUTE],
    ["team_day", `sms:team:day:${teamId}`, perDay, DAY],
    ["all_teams_day", "sms:all-teams:day", config.maxSmsPerDay, DAY],
  ];
  for (const [limit, key, max, windowSeconds] of limits) {
    const result = await rateLimit(key, { limit: max, windowSeconds }, tx);
    if (!result.allowed) return { code: "OVER_LIMIT", limit, max, retryAfterSeconds: result.retryAfterSeconds, range: info.range, country: info.country };
    counted.push(result.counted);
  }
  return null;
}
