import { and, eq, gt, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor } from "@/lib/db";
import { consumeOnce } from "@/lib/db/consume";
import { signInChallenges } from "@/lib/db/schema";
import { hashToken, randomToken } from "@/lib/security/tokens";
import { createSession } from "./sessions";

export const CHALLENGE_TTL_SECONDS = 10 * 60;
export const CHALLENGE_COOKIE = "tessera_challenge";

/**
 * Starts a sign-in challenge after a correct password. Returns the token for the
 * browser's cookie; only its hash is stored. `completedWith` says why no second factor is
 * owed ("password": the user has none; "trusted_device"); null leaves the factor step open.
 */
export async function createChallenge(
  ex: Executor,
  input: RequestMeta & { userId: string; completedWith: "password" | "trusted_device" | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const [row] = await ex
    .insert(signInChallenges)
    .values({
      tokenHash: hashToken(token),
      userId: input.userId,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      expiresAt: sql`now() + (${CHALLENGE_TTL_SECONDS} * interval '1 second')`,
      completedAt: input.completedWith ? sql`now()` : null,
      completedWith: input.completedWith,
    })
    .returning({ expiresAt: signInChallenges.expiresAt });
  return { token, expiresAt: row!.expiresAt };
}

/**
 * Exchanges a completed, unexpired, unused challenge for a session — exactly once, even
 * when the same token arrives in concurrent requests. Returns null otherwise.
 */
export async function exchangeChallenge(token: string, meta: RequestMeta): Promise<{ userId: string; sessionId: string } | null> {
  if (!token) return null;
  return db().transaction(async (tx) => {
    const challenge = await consumeOnce(
      tx,
      signInChallenges,
      and(
        eq(signInChallenges.tokenHash, hashToken(token)),
        isNotNull(signInChallenges.completedAt),
        gt(signInChallenges.expiresAt, sql`now()`),
      )!,
    );
    if (!challenge) return null;
    // A factor entered moments ago counts as a fresh step-up for the new session. An emailed
    // code after an admin reset is no factor: it proves the mailbox, not a second factor.
    const factorJustEntered = !["password", "trusted_device", "admin_reset"].includes(challenge.completedWith ?? "");
    const sessionId = await createSession(tx, { userId: challenge.userId, stepUp: factorJustEntered ? challenge.completedAt : null, ...meta });
    await recordAudit(tx, { type: "sign_in.succeeded", userId: challenge.userId, data: { method: challenge.completedWith }, ...meta });
    return { userId: challenge.userId, sessionId };
  });
}

/**
 * Ends every sign-in challenge of the user still waiting to be exchanged: after a password
 * reset, 2FA turned off or a factor added, no challenge started under the old rules may
 * still become a session. `completedWith: "trusted_device"` ends only those a remembered
 * device completed (revoking devices must not end the sign-in that is revoking them).
 */
export async function cancelOpenChallenges(ex: Executor, userId: string, only: { completedWith?: "trusted_device"; exceptId?: string } = {}): Promise<void> {
  await ex
    .update(signInChallenges)
    .set({ consumedAt: sql`now()` })
    .where(
      and(
        eq(signInChallenges.userId, userId),
        isNull(signInChallenges.consumedAt),
        only.completedWith ? eq(signInChallenges.completedWith, only.completedWith) : undefined,
        only.exceptId ? ne(signInChallenges.id, only.exceptId) : undefined,
      ),
    );
}
