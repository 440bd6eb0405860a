import { and, asc, eq, gt, inArray, isNull, ne, notExists, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit, type RequestMeta } from "@/lib/audit";
import { db, type Executor, type Tx } from "@/lib/db";
import { factorKindEnum, factors, memberships, teams, trustedDevices, users, type FactorKind, type Role } from "@/lib/db/schema";
import { TRUSTED_DEVICE_DAYS } from "@/lib/factors/trusted-devices";
import { acceptedKinds, acceptsKind } from "./accepted-kinds";
import { MANAGERS, requireTeamRole } from "./roles";

export const FACTOR_KINDS: readonly FactorKind[] = factorKindEnum.enumValues;
export const GRACE_DAYS = [0, 3, 7, 14] as const;
export const REMEMBER_DEVICE_DAYS = [0, 1, 7, 14, 30, 60] as const;
/** Sign out after this long without activity, and sign in again this often (NIST SP 800-63B AAL2: at most 1 hour and 24 hours). */
export const SESSION_IDLE_CHOICES = [15, 30, 60] as const;
export const SESSION_MAX_HOURS_CHOICES = [1, 4, 8, 12, 24] as const;
export type GraceDays = (typeof GRACE_DAYS)[number];
export type RememberDeviceDays = (typeof REMEMBER_DEVICE_DAYS)[number];

/** A team's 2FA policy, as stored on its row. */
export type TeamPolicy = {
  requireTwoFactor: boolean;
  graceDays: number;
  /** When the requirement was switched on (the grace period counts from it); null while off. */
  requireStartedAt: Date | null;
  allowedMethods: FactorKind[];
  smsBackupOnly: boolean;
  defaultMethod: FactorKind;
  rememberDeviceDays: number;
  /** Sessions of members end after this many minutes without activity (the strictest team applies). */
  sessionIdleMinutes: number;
  /** …and this many hours after sign-in, however active. */
  sessionMaxHours: number;
};

const policyColumns = {
  requireTwoFactor: teams.requireTwoFactor,
  graceDays: teams.graceDays,
  requireStartedAt: teams.requireStartedAt,
  allowedMethods: teams.allowedMethods,
  smsBackupOnly: teams.smsBackupOnly,
  defaultMethod: teams.defaultMethod,
  rememberDeviceDays: teams.rememberDeviceDays,
  sessionIdleMinutes: teams.sessionIdleMinutes,
  sessionMaxHours: teams.sessionMaxHours,
};

const oneOf = <T extends readonly number[]>(values: T, message: string) =>
  z.number({ error: message }).refine((n) => (values as readonly number[]).includes(n), { message });

/**
 * What an owner or admin may change. The allowed methods are a non-empty set of factor kinds;
 * the default must be one of them and, with SMS as backup only, not SMS. "Backup only" is
 * dropped when SMS is not allowed at all (it would mean nothing).
 */
export const policyInput = z
  .object({
    requireTwoFactor: z.boolean({ error: "Choose whether two-factor authentication is required." }),
    graceDays: oneOf(GRACE_DAYS, "Choose a grace period of 0, 3, 7 or 14 days."),
    allowedMethods: z
      .array(z.enum(factorKindEnum.enumValues, { error: "Choose methods from the list." }), { error: "Choose at least one allowed method." })
      .min(1, { error: "Choose at least one allowed method." })
      .transform((kinds) => FACTOR_KINDS.filter((kind) => kinds.includes(kind))),
    smsBackupOnly: z.boolean({ error: "Choose whether SMS is allowed as a backup only." }),
    defaultMethod: z.enum(factorKindEnum.enumValues, { error: "Choose a default method from the list." }),
    rememberDeviceDays: oneOf(REMEMBER_DEVICE_DAYS, "Choose to remember devices for never, 1, 7, 14, 30 or 60 days."),
    // Absent means "as saved" (callers that predate these fields keep working); present, it must be a choice.
    sessionIdleMinutes: oneOf(SESSION_IDLE_CHOICES, "Choose to sign out after 15, 30 or 60 minutes without activity.").optional(),
    sessionMaxHours: oneOf(SESSION_MAX_HOURS_CHOICES, "Choose to sign in again every 1, 4, 8, 12 or 24 hours.").optional(),
  })
  .superRefine((policy, ctx) => {
    // With no allowed method the default cannot be right either; saying so twice only confuses.
    if (policy.allowedMethods.length === 0) return;
    if (!policy.allowedMethods.includes(policy.defaultMethod)) {
      ctx.addIssue({ code: "custom", path: ["defaultMethod"], message: "The default method must be one of the allowed methods." });
    } else if (policy.smsBackupOnly && policy.defaultMethod === "sms") {
      ctx.addIssue({ code: "custom", path: ["defaultMethod"], message: "SMS is allowed as a backup only, so it cannot be the default method." });
    }
  })
  .transform((policy) => ({ ...policy, smsBackupOnly: policy.smsBackupOnly && policy.allowedMethods.includes("sms") }));

export type PolicyInput = z.input<typeof policyInput>;

export type PolicyFailure =
  | { ok: false; code: "FORBIDDEN"; message: string }
  | { ok: false; code: "INVALID"; message: string; fieldErrors: Record<string, string[] | undefined> };
export type PolicyResult = { ok: true; policy: TeamPolicy } | PolicyFailure;

export const FORBIDDEN_MESSAGE = "Only an owner or admin of this team can do that.";

export async function getTeamPolicy(teamId: string, ex: Executor = db()): Promise<TeamPolicy | null> {
  const [row] = await ex.select(policyColumns).from(teams).where(eq(teams.id, teamId));
  return row ?? null;
}

/**
 * Changes a team's 2FA policy. Only an owner or admin of this team may (checked in the
 * database, inside the transaction). The team row, the audit event and any shortening of
 * members' remembered devices are written in one transaction; refused input changes nothing.
 */
export async function updateTeamPolicy(teamId: string, actor: { id: string }, input: unknown, meta: RequestMeta): Promise<PolicyResult> {
  const parsed = policyInput.safeParse(input);
  return db().transaction(async (tx): Promise<PolicyResult> => {
    if (!(await requireTeamRole(tx, teamId, actor.id, MANAGERS))) return { ok: false, code: "FORBIDDEN", message: FORBIDDEN_MESSAGE };
    if (!parsed.success) {
      const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
      const first = Object.values(fieldErrors).flat().find(Boolean) ?? "Check the policy and try again.";
      return { ok: false, code: "INVALID", message: first, fieldErrors };
    }
    const before = (await getTeamPolicy(teamId, tx))!;
    const next = {
      ...parsed.data,
      sessionIdleMinutes: parsed.data.sessionIdleMinutes ?? before.sessionIdleMinutes,
      sessionMaxHours: parsed.data.sessionMaxHours ?? before.sessionMaxHours,
    };

    const switchedOn = next.requireTwoFactor && !before.requireTwoFactor;
    const [saved] = await tx
      .update(teams)
      .set({
        ...next,
        requireStartedAt: !next.requireTwoFactor ? null : switchedOn ? sql`now()` : before.requireStartedAt,
      })
      .where(eq(teams.id, teamId))
      .returning(policyColumns);

    const devices = next.rememberDeviceDays < before.rememberDeviceDays ? await shortenTrustedDevices(tx, teamId, next.rememberDeviceDays) : 0;

    const changed = Object.fromEntries(
      (Object.keys(next) as (keyof typeof next)[])
        .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(next[key]))
        .map((key) => [key, { from: before[key], to: next[key] }]),
    );
    await recordAudit(tx, {
      type: "policy.changed",
      teamId,
      actorId: actor.id,
      data: { changed, ...(devices > 0 ? { trustedDevicesShortened: devices } : {}) },
      ...meta,
    });
    return { ok: true, policy: saved! };
  });
}

/**
 * Brings the team's members' remembered devices within the new period: each ends at most
 * `days` after it was remembered; 0 revokes them. Returns how many devices changed.
 */
async function shortenTrustedDevices(tx: Tx, teamId: string, days: number): Promise<number> {
  const members = tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.teamId, teamId));
  const live = and(inArray(trustedDevices.userId, members), isNull(trustedDevices.revokedAt), gt(trustedDevices.expiresAt, sql`now()`));
  const changed =
    days === 0
      ? await tx.update(trustedDevices).set({ revokedAt: sql`now()` }).where(live).returning({ id: trustedDevices.id })
      : await tx
          .update(trustedDevices)
          .set({ expiresAt: sql`least(${trustedDevices.expiresAt}, ${trustedDevices.createdAt} + (${days} * interval '1 day'))` })
          .where(and(live, gt(trustedDevices.expiresAt, sql`${trustedDevices.createdAt} + (${days} * interval '1 day')`)))
          .returning({ id: trustedDevices.id });
  return changed.length;
}

export type EffectivePolicy = {
  /** Some team of the user requires 2FA. */
  required: boolean;
  /** The teams that require it. */
  requiredBy: { id: string; name: string }[];
  /** Kinds allowed by every requiring team (all kinds when none requires); may be empty when their sets do not meet. */
  allowedMethods: FactorKind[];
  /** A requiring team allows SMS as a backup only. */
  smsBackupOnly: boolean;
  /** The shortest "remember this device" period among all the user's teams (0 = never). */
  rememberDays: number;
  /** The team whose period that is (the oldest membership among equals); null in no team. Leaving it signs out devices remembered under it. */
  rememberTeamId: string | null;
  /** The earliest end of a grace period among requiring teams, while it lasts; null when none is left. */
  graceEndsAt: Date | null;
  /** The user has a factor that satisfies the requiring teams. */
  hasAllowedFactor: boolean;
  /** The method to suggest first: the first requiring team's default when every requiring team allows it. */
  recommended: FactorKind | null;
  status: "ok" | "grace" | "blocked";
};

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The policy that applies to a user across all their teams (the requirement is on the user:
 * sign-in happens before a team is chosen). Allowed methods and "SMS as backup only" come
 * from the teams that require 2FA; the remember period from every team.
 */
export async function effectivePolicy(userId: string, ex: Executor = db(), now = new Date()): Promise<EffectivePolicy> {
  const rows = await ex
    .select({ id: teams.id, name: teams.name, ...policyColumns })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
  const kinds = (await ex.select({ kind: factors.kind }).from(factors).where(eq(factors.userId, userId))).map((f) => f.kind);
  const [user] = await ex.select({ enrollRequiredBy: users.enrollRequiredBy }).from(users).where(eq(users.id, userId));

  // An admin reset makes that team's requirement apply to this user until they enroll again.
  const requiring = rows.filter((team) => team.requireTwoFactor || team.id === user?.enrollRequiredBy);
  const required = requiring.length > 0;
  const allowedMethods = FACTOR_KINDS.filter((kind) => requiring.every((team) => team.allowedMethods.includes(kind)));
  const smsBackupOnly = requiring.some((team) => team.smsBackupOnly);
  const strictest = rows.reduce<(typeof rows)[number] | undefined>((best, team) => (best && best.rememberDeviceDays <= team.rememberDeviceDays ? best : team), undefined);
  const rememberDays = strictest?.rememberDeviceDays ?? TRUSTED_DEVICE_DAYS;

  // A team with no grace (or whose grace is over) leaves the user none: the earliest end wins.
  const ends = requiring.map((team) => (team.requireStartedAt ? team.requireStartedAt.getTime() + team.graceDays * DAY_MS : now.getTime()));
  const earliest = ends.length > 0 ? Math.min(...ends) : null;
  const graceEndsAt = earliest !== null && earliest > now.getTime() ? new Date(earliest) : null;

  const hasAllowedFactor = kinds.some((kind) => acceptsKind({ allowedMethods, smsBackupOnly }, kind));
  const status = !required || hasAllowedFactor ? "ok" : graceEndsAt ? "grace" : "blocked";

  const firstDefault = requiring[0]?.defaultMethod;
  const recommended = firstDefault && acceptsKind({ allowedMethods, smsBackupOnly }, firstDefault) ? firstDefault : null;

  return {
    required,
    recommended,
    requiredBy: requiring.map(({ id, name }) => ({ id, name })),
    allowedMethods,
    smsBackupOnly,
    rememberDays,
    rememberTeamId: strictest?.id ?? null,
    graceEndsAt,
    hasAllowedFactor,
    status,
  };
}

/**
 * The factor kinds that may answer a sign-in challenge. A user who has a factor the policy
 * accepts signs in with allowed kinds only (a disallowed SMS cannot be the way in); a user
 * with none may use what they have once, and is then sent to enroll an allowed one.
 */
export function signInKinds(policy: Pick<EffectivePolicy, "required" | "hasAllowedFactor" | "allowedMethods">, kinds: FactorKind[]): FactorKind[] {
  if (!policy.required || !policy.hasAllowedFactor) return kinds;
  return kinds.filter((kind) => policy.allowedMethods.includes(kind));
}

export type MemberSummary = { userId: string; name: string; email: string; role: Role };
export type MemberList = { total: number; members: MemberSummary[] };

/**
 * Members who have no factor this team's policy accepts: the people a requirement would
 * stop ("8 members have no second factor"). `policy` previews a policy not saved yet.
 * Returns the count and the first `limit` of them by name.
 */
export async function membersWithoutSecondFactor(
  teamId: string,
  options: { policy?: Pick<TeamPolicy, "allowedMethods" | "smsBackupOnly">; limit?: number } = {},
): Promise<MemberList> {
  const policy = options.policy ?? (await getTeamPolicy(teamId));
  if (!policy) return { total: 0, members: [] };
  const kinds = acceptedKinds(policy);
  const accepted = db()
    .select({ one: sql`1` })
    .from(factors)
    .where(and(eq(factors.userId, memberships.userId), kinds.length > 0 ? inArray(factors.kind, kinds) : sql`false`));
  return listMembers(teamId, notExists(accepted), options.limit);
}

/** Members with no verified phone number (no SMS factor): listed while SMS is allowed as a primary method. */
export async function membersWithoutPhone(teamId: string, options: { limit?: number } = {}): Promise<MemberList> {
  const phone = db()
    .select({ one: sql`1` })
    .from(factors)
    .where(and(eq(factors.userId, memberships.userId), eq(factors.kind, "sms"), ne(factors.phone, "")));
  return listMembers(teamId, notExists(phone), options.limit);
}

async function listMembers(teamId: string, condition: ReturnType<typeof notExists>, limit = 100): Promise<MemberList> {
  const rows = await db()
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      total: sql<number>`count(*) over ()`.mapWith(Number),
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.teamId, teamId), condition))
    .orderBy(asc(users.name), asc(users.email))
    .limit(Math.max(1, Math.min(limit, 1000)));
  return { total: rows[0]?.total ?? 0, members: rows.map(({ userId, name, email, role }) => ({ userId, name, email, role })) };
}
