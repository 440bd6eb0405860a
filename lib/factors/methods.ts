import { eq } from "drizzle-orm";
import { db } from "@/lib/db";
import { factors, users, type FactorKind } from "@/lib/db/schema";
import { effectivePolicy, signInKinds, type EffectivePolicy } from "@/lib/teams/policy";
import { FACTORS } from "./registry";

export type PromptMethodRow = { kind: FactorKind; factorId: string; label: string; hint: string; isDefault: boolean };

/** The user's factors as a second-factor prompt offers them: default first, one per kind (step-up offers them all). */
export async function listPromptMethods(userId: string): Promise<PromptMethodRow[]> {
  const rows = await db()
    .select({ id: factors.id, kind: factors.kind, label: factors.label, phone: factors.phone, isDefault: factors.isDefault, email: users.email })
    .from(factors)
    .innerJoin(users, eq(users.id, factors.userId))
    .where(eq(factors.userId, userId))
    .orderBy(factors.createdAt);
  const byKind = new Map<FactorKind, PromptMethodRow>();
  for (const f of rows.sort((a, b) => Number(b.isDefault) - Number(a.isDefault))) {
    if (byKind.has(f.kind)) continue; // two keys or two apps: one prompt answers for all of them
    const kind = FACTORS[f.kind];
    byKind.set(f.kind, { kind: f.kind, factorId: f.id, label: kind.named ? f.label : kind.name, hint: kind.hint(f), isDefault: f.isDefault });
  }
  return [...byKind.values()];
}

/**
 * `emailSuspended`: the user has an email factor, but a password reset through the emailed
 * link suspended it (users.email_factor_suspended_at) — it is left out of `methods`, and the
 * user still has a second factor to pass even when `methods` is empty (a recovery code).
 */
export type SignInMethods = { methods: PromptMethodRow[]; policy: EffectivePolicy; emailSuspended: boolean };

/**
 * What a sign-in challenge offers under the user's team policies: only the kinds the policy
 * lets answer (see signInKinds), and SMS never first while a team allows it as a backup only.
 * Never the email code right after a password reset by email: whoever reset the password
 * read that mailbox, so it cannot also be the second factor (until another factor or a
 * recovery code passes, see verifyProof).
 */
export async function listSignInMethods(userId: string): Promise<SignInMethods> {
  const [all, policy, [user]] = await Promise.all([
    listPromptMethods(userId),
    effectivePolicy(userId),
    db().select({ suspendedAt: users.emailFactorSuspendedAt }).from(users).where(eq(users.id, userId)),
  ]);
  const emailSuspended = Boolean(user?.suspendedAt) && all.some((m) => m.kind === "email");
  const kinds = signInKinds(policy, all.map((m) => m.kind)).filter((kind) => !(emailSuspended && kind === "email"));
  const usable = all.filter((m) => kinds.includes(m.kind));
  if (policy.smsBackupOnly && usable[0]?.kind === "sms") usable.push(usable.shift()!);
  return { methods: usable, policy, emailSuspended };
}
