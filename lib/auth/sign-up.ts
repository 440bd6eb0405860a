import { recordAudit, type RequestMeta } from "@/lib/audit";
import { config } from "@/lib/config";
import { db } from "@/lib/db";
import { memberships, teams, users } from "@/lib/db/schema";
import { send } from "@/lib/messaging";
import { rateLimit } from "@/lib/rate-limit";
import { createChallenge } from "./challenge";
import { authFailure, type AuthFailure } from "./errors";
import type { SignUpInput } from "./input";
import { hashPassword } from "./password";
import { greeting } from "@/lib/messaging/display-name";
import { log } from "@/lib/log";

export type SignUpResult =
  | { ok: true; userId: string; teamId: string; challengeToken: string }
  | (AuthFailure & { field?: "email" });

/**
 * Creates the account, its personal team (the user owns it), the audit event and a
 * completed sign-in challenge (a new account has no second factor yet, so it is signed in
 * straight away) in one transaction, then sends the welcome email. An email already in
 * use changes nothing.
 */
export async function signUp(input: SignUpInput, meta: RequestMeta): Promise<SignUpResult> {
  if (meta.ip) {
    const limit = await rateLimit(`signup:ip:${meta.ip}`, { limit: config.signUpsPerIpPerHour, windowSeconds: 3600 });
    if (!limit.allowed) return authFailure("RATE_LIMITED", limit.retryAfterSeconds);
  }
  const passwordHash = await hashPassword(input.password);
  let created: { userId: string; teamId: string; challengeToken: string };
  try {
    created = await db().transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, passwordHash })
        .returning({ id: users.id });
      const [team] = await tx
        .insert(teams)
        .values({ name: `${input.name}'s team` })
        .returning({ id: teams.id });
      await tx.insert(memberships).values({ teamId: team!.id, userId: user!.id, role: "owner" });
      await recordAudit(tx, { type: "user.signed_up", userId: user!.id, teamId: team!.id, ...meta });
      const challenge = await createChallenge(tx, { userId: user!.id, completedWith: "password", ...meta });
      return { userId: user!.id, teamId: team!.id, challengeToken: challenge.token };
    });
  } catch (error) {
    // The unique index on lower(email) settles concurrent sign-ups with one address.
    if (isUniqueViolation(error)) return { ...authFailure("EMAIL_TAKEN"), field: "email" };
    throw error;
  }
  await sendWelcome(input);
  return { ok: true, ...created };
}

async function sendWelcome(input: SignUpInput) {
  try {
    await send({
      channel: "email",
      to: input.email,
      subject: "Welcome to Tessera",
      text: [
        greeting(input.name),
        "",
        "Your Tessera account is ready. Next, protect it with a second factor:",
        "open Settings → Security after you sign in.",
        "",
        "If you did not create this account, you can ignore this email.",
      ].join("\n"),
    });
  } catch (error) {
    // The account exists either way; a lost welcome email must not fail the sign-up.
    log.error("auth.welcome_email_failed", {}, error);
  }
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}
