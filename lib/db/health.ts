import "server-only";
import { sql } from "drizzle-orm";
import { log } from "@/lib/log";
import { db } from ".";

/** Longer than a healthy round trip by far, short enough for a load balancer's probe (often 5 s). */
export const HEALTH_CHECK_BOUND_MS = 2000;

/**
 * Whether the database answers `select 1` within `boundMs`. A probe that hangs is as bad as
 * one that fails: the instance should leave the load balancer either way.
 */
export async function databaseAnswers(boundMs = HEALTH_CHECK_BOUND_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), boundMs)));
  try {
    const outcome = await Promise.race([db().execute(sql`select 1`).then(() => "answered" as const), late]);
    if (outcome === "late") log.warn("health.database_slow", { boundMs });
    return outcome === "answered";
  } catch (error) {
    log.warn("health.database_unavailable", {}, error);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
