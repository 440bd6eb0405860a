import { and, asc, count, eq, isNotNull } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { cancelOpenChallenges } from "@/lib/auth/challenge";
import { db, type Executor, type Tx } from "@/lib/db";
import { lockUser } from "@/lib/db/lock-user";
import { factors, users, type Factor, type FactorKind } from "@/lib/db/schema";
import { generateRecoveryCodes } from "./recovery/recovery-codes";

export type NewFactor = {
  userId: string;
  kind: FactorKind;
  label: string;
  secretEncrypted?: string;
  phone?: string;
  credentialId?: string;
  publicKey?: string;
  signCount?: number;
  transports?: string[];
  lastTotpStep?: number;
};

export type AddedFactor = {
  factorId: string;
  /** Present when this was the first factor: 2FA just turned on, and these must be shown once. */
  recoveryCodes?: string[];
};

/**
 * Saves a verified factor inside the caller's transaction. The first factor becomes the
 * default, turns two-factor authentication on and comes with a fresh set of recovery codes.
 */
export async function addFactor(tx: Tx, input: NewFactor, meta: RequestMeta): Promise<AddedFactor> {
  // Serialise enrollments per user: two "first" factors at once must not both become default.
  await lockUser(tx, input.userId);
  // A sign-in started before this factor existed must not finish without it.
  await cancelOpenChallenges(tx, input.userId);
  const [{ n }] = (await tx.select({ n: count() }).from(factors).where(eq(factors.userId, input.userId))) as [{ n: number }];
  const first = n === 0;
  const [row] = await tx
    .insert(factors)
    .values({ ...input, isDefault: first })
    .returning({ id: factors.id });
  await recordAudit(tx, { type: "factor.added", userId: input.userId, data: { kind: input.kind, factorId: row!.id }, ...meta });
  // An admin reset asked for a new factor: this is it.
  await tx.update(users).set({ enrollRequiredBy: null }).where(and(eq(users.id, input.userId), isNotNull(users.enrollRequiredBy)));
  if (!first) return { factorId: row!.id };
  await recordAudit(tx, { type: "two_factor.enabled", userId: input.userId, ...meta });
  const recoveryCodes = await generateRecoveryCodes(tx, input.userId, meta);
  return { factorId: row!.id, recoveryCodes };
}

/** A user's factors, default first, then oldest first. */
export async function listFactors(userId: string, ex: Executor = db()): Promise<Factor[]> {
  return ex.select().from(factors).where(eq(factors.userId, userId)).orderBy(asc(factors.createdAt));
}

export async function findFactor(userId: string, factorId: string, ex: Executor = db()): Promise<Factor | null> {
  const [row] = await ex
    .select()
    .from(factors)
    .where(and(eq(factors.userId, userId), eq(factors.id, factorId)));
  return row ?? null;
}

export async function hasSecondFactor(userId: string, ex: Executor = db()): Promise<boolean> {
  const [row] = await ex.select({ id: factors.id }).from(factors).where(eq(factors.userId, userId)).limit(1);
  return Boolean(row);
}
