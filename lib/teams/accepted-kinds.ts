import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { FactorKind } from "@/lib/db/schema";

/** The part of a team's (or a user's effective) policy that decides which factors count. */
export type KindsPolicy = { allowedMethods: readonly FactorKind[]; smsBackupOnly: boolean };

/*
 * The rule, once, in both languages it is needed in: a factor the policy accepts is of an
 * allowed kind, and not SMS while SMS is allowed as a backup only (a backup next to an
 * accepted factor, never the one that satisfies the policy). accepted-kinds.test.ts holds
 * the two to the same answer over every policy and kind.
 */

/** The kinds that satisfy the policy, in the policy's order. */
export function acceptedKinds(policy: KindsPolicy): FactorKind[] {
  return policy.allowedMethods.filter((kind) => !(policy.smsBackupOnly && kind === "sms"));
}

/** Whether a factor of `kind` satisfies the policy. */
export function acceptsKind(policy: KindsPolicy, kind: FactorKind): boolean {
  return acceptedKinds(policy).includes(kind);
}

/**
 * The SQL twin of `acceptedKinds`, for queries that work it out per team: `allowedMethods`
 * is a jsonb array of kinds (`teams.allowed_methods`), `smsBackupOnly` a boolean; the result
 * is a `factor_kind[]` to test a factor against with `= any(…)`.
 */
export function acceptedKindsSql(allowedMethods: SQLWrapper, smsBackupOnly: SQLWrapper): SQL<FactorKind[]> {
  return sql<FactorKind[]>`array(select k::factor_kind from jsonb_array_elements_text(${allowedMethods}) k where not (${smsBackupOnly} and k = 'sms'))`;
}
