import { randomBytes } from "node:crypto";
import { signUp } from "@/lib/auth/sign-up";

export const meta = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" };

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.com`;
}

export const PASSWORD = "correct horse battery staple";

/** A signed-up user, with a distinct IP so sign-up limits never interfere between tests. */
export async function createUser(overrides: { name?: string; email?: string; password?: string } = {}) {
  const input = { name: overrides.name ?? "Ada Lovelace", email: overrides.email ?? uniqueEmail(), password: overrides.password ?? PASSWORD };
  const result = await signUp(input, { ...meta, ip: `198.51.100.${Math.floor(Math.random() * 250)}` });
  if (!result.ok) throw new Error(`sign-up failed: ${result.message}`);
  return { ...input, ...result };
}

// ——— Second factors: enrolled factors, codes from the outbox, sessions ———
// (Imports sit here so the block above stays untouched; ES modules hoist them.)
import { and, desc, eq, like, sql } from "drizzle-orm";
import { generate } from "otplib";
import { exchangeChallenge } from "@/lib/auth/challenge";
import { db } from "@/lib/db";
import { auditEvents, factors, memberships, outbox, rateLimits, type FactorKind, type Role } from "@/lib/db/schema";
import type { PolicyInput } from "@/lib/teams/policy";
import { addFactor } from "@/lib/factors";
import { newTotpSecret, sealTotpSecret } from "@/lib/factors/totp/totp";

export const PHONE = "+14155552671";
export const OTHER_PHONE = "+33612345678";

/** The current Unix time in whole seconds. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The code an authenticator app shows `steps` periods from now (SHA-1, 6 digits, 30 s). */
export function totpCode(secret: string, steps = 0): Promise<string> {
  return generate({ secret, epoch: nowSeconds() + steps * 30 });
}

/** Saves a TOTP factor for the user directly (no enrollment code), as the enrollment would. */
export async function addTotpFactor(userId: string, label = "Phone app") {
  const secret = newTotpSecret();
  const added = await db().transaction((tx) =>
    addFactor(tx, { userId, kind: "totp", label, secretEncrypted: sealTotpSecret(secret, userId) }, meta),
  );
  return { secret, ...added };
}

export async function addEmailFactor(userId: string) {
  return db().transaction((tx) => addFactor(tx, { userId, kind: "email", label: "Email" }, meta));
}

export async function addSmsFactor(userId: string, phone = PHONE) {
  return db().transaction((tx) => addFactor(tx, { userId, kind: "sms", label: "Phone", phone }, meta));
}

/** Messages to one address or number, oldest first. */
export async function outboxTo(to: string) {
  return db().select().from(outbox).where(eq(outbox.to, to)).orderBy(outbox.seq);
}

/** The code in the newest message to `to` ("code is 123456" or, spoken, "code is: 1. 2. 3. 4. 5. 6."). */
export async function lastCodeTo(to: string): Promise<string> {
  const [message] = await db().select().from(outbox).where(eq(outbox.to, to)).orderBy(desc(outbox.seq)).limit(1);
  const code = message?.text.match(/code is:? (\d{6}|(?:\d\. ){5}\d\.)/)?.[1]?.replace(/\D/g, "");
  if (!code) throw new Error(`no code sent to ${to}`);
  return code;
}

/** Lets every resend cooldown pass without waiting 30 seconds. */
export async function endCodeCooldowns() {
  await db()
    .update(rateLimits)
    .set({ resetAt: sql`now() - interval '1 second'` })
    .where(like(rateLimits.key, "otp:cooldown:%"));
}

/** The user's audit events of one type, oldest first. */
export async function auditEventsOf(userId: string, type: string) {
  return db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.userId, userId), eq(auditEvents.type, type)))
    .orderBy(auditEvents.createdAt);
}

/** A signed-up user with a live session (from sign-up's completed challenge). */
export async function createSignedInUser() {
  const user = await createUser();
  const session = await exchangeChallenge(user.challengeToken, meta);
  if (!session) throw new Error("sign-up challenge did not exchange");
  return { ...user, sessionId: session.sessionId };
}

export const ALL_KINDS: FactorKind[] = ["totp", "email", "sms", "webauthn"];

/** A policy that allows everything and requires nothing; tests override what they need. */
export const OPEN_POLICY: PolicyInput = {
  requireTwoFactor: false,
  graceDays: 0,
  allowedMethods: ALL_KINDS,
  smsBackupOnly: false,
  defaultMethod: "totp",
  rememberDeviceDays: 30,
};

/** Adds the user to the team with `role`, as an accepted invitation would. */
export async function joinTeam(teamId: string, userId: string, role: Role = "member") {
  await db().insert(memberships).values({ teamId, userId, role });
}

/** A factor row of `kind` without any enrollment: enough for policy and member-list queries. */
export async function addFactorRow(userId: string, kind: FactorKind, phone?: string) {
  await db().insert(factors).values({ userId, kind, label: kind, phone: phone ?? null });
}

// ——— Enrollment ———

/** A new user, and the `{ id, email }` the enrollment functions take for them. */
export async function enrollingUser() {
  const user = await createUser();
  return { user, who: { id: user.userId, email: user.email } };
}

/** A six-digit code that is not `code` (the next one up, wrapping at 999999), or `by` further on. */
export const otherThan = (code: string, by = 1) => String((Number(code) + by) % 1_000_000).padStart(6, "0");

export const FACTOR_ADDED_SUBJECT = "A second factor was added to your account";
