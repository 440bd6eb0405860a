import { db, type Executor } from "@/lib/db";
import type { FactorKind } from "@/lib/db/schema";
import { listNames } from "@/lib/format/list";
import { acceptedKinds, acceptsKind } from "@/lib/teams/accepted-kinds";
import { effectivePolicy, FACTOR_KINDS, type EffectivePolicy } from "@/lib/teams/policy";
import { FACTOR_NAMES } from "./registry";

/**
 * What the user's teams' 2FA policies say about changing their factors. Each returns the
 * message a person sees, or null when the change is allowed. Only teams that require 2FA
 * restrict anything (lib/teams/policy.ts effectivePolicy).
 */

const teamsOf = (policy: EffectivePolicy) => listNames(policy.requiredBy.map((t) => t.name));
const allowedList = (policy: EffectivePolicy) => listNames(acceptedKinds(policy).map((k) => FACTOR_NAMES[k].toLowerCase()));

/** The kinds a user may add now under `policy` (the pages offer only these; enrollRefusal says why for the rest). */
export function addableKinds(policy: EffectivePolicy): FactorKind[] {
  if (!policy.required) return [...FACTOR_KINDS];
  return policy.allowedMethods.filter((k) => !(k === "sms" && policy.smsBackupOnly && !policy.hasAllowedFactor));
}

/** Whether a factor of `kind` may be added (or, for SMS, its number changed). */
export async function enrollRefusal(userId: string, kind: FactorKind, ex: Executor = db()): Promise<string | null> {
  const policy = await effectivePolicy(userId, ex);
  if (!policy.required) return null;
  if (!policy.allowedMethods.includes(kind)) {
    return `${teamsOf(policy)} doesn't allow ${FACTOR_NAMES[kind].toLowerCase()}. Choose ${allowedList(policy) || "another method"}.`;
  }
  if (kind === "sms" && policy.smsBackupOnly && !policy.hasAllowedFactor) {
    return `${teamsOf(policy)} allows text messages as a backup only. Set up ${allowedList(policy)} first.`;
  }
  return null;
}

/** Whether a factor of `kind` may become the default. */
export async function defaultRefusal(userId: string, kind: FactorKind, ex: Executor = db()): Promise<string | null> {
  const policy = await effectivePolicy(userId, ex);
  if (!policy.required) return null;
  if (!policy.allowedMethods.includes(kind)) return `${teamsOf(policy)} doesn't allow ${FACTOR_NAMES[kind].toLowerCase()}.`;
  if (kind === "sms" && policy.smsBackupOnly) return `${teamsOf(policy)} allows text messages as a backup only, so they can't be your default.`;
  return null;
}

/**
 * Whether the user may go from their factors to `remaining`: a team that requires 2FA
 * keeps the last factor it accepts (turning 2FA off is removing them all).
 */
export async function removalRefusal(userId: string, remaining: FactorKind[], ex: Executor = db()): Promise<string | null> {
  const policy = await effectivePolicy(userId, ex);
  if (!policy.required || !policy.hasAllowedFactor) return null;
  if (remaining.some((k) => acceptsKind(policy, k))) return null;
  return remaining.length === 0
    ? `${teamsOf(policy)} requires two-factor authentication, so it can't be turned off.`
    : `${teamsOf(policy)} requires two-factor authentication: add ${allowedList(policy)} before removing this one.`;
}
