import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const id = () => uuid("id").primaryKey().defaultRandom();
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true });

export const users = pgTable(
  "users",
  {
    id: id(),
    name: text("name").notNull(),
    /** Always stored lower-cased (see lib/auth/input.ts); unique case-insensitively. */
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
    /** When a session was last created (the members table shows and sorts by it). */
    lastSignInAt: at("last_sign_in_at"),
    /** When a second factor or recovery code was last accepted (sign-in or step-up). */
    lastTwoFactorAt: at("last_two_factor_at"),
    /**
     * Set when an admin of this team reset the user's 2FA: the user must enroll again (as if
     * that team required it) whatever their teams' policies say; cleared by their next factor.
     */
    enrollRequiredBy: uuid("enroll_required_by").references((): AnyPgColumn => teams.id, { onDelete: "set null" }),
    /**
     * Set by a password reset through the emailed link: until a sign-in passes with another
     * factor or a recovery code, the email channel is not accepted as the second factor (the
     * mailbox that reset the password must not also be the second factor).
     */
    emailFactorSuspendedAt: at("email_factor_suspended_at"),
    /** Consecutive second-factor failures across sign-ins; cleared only by a success. */
    secondFactorFailures: integer("second_factor_failures").notNull().default(0),
    /** Set at 100 consecutive failures: the second step is blocked until an emailed link or an admin reset. */
    secondFactorBlockedAt: at("second_factor_blocked_at"),
  },
  (t) => [uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`)],
);

// Declared before `teams`, which uses it (the default method); the type is unchanged.
export const factorKindEnum = pgEnum("factor_kind", ["totp", "email", "sms", "webauthn"]);

export const teams = pgTable(
  "teams",
  {
    id: id(),
    name: text("name").notNull(),
    createdAt: createdAt(),
    // ——— 2FA policy (lib/teams/policy.ts) ———
    requireTwoFactor: boolean("require_two_factor").notNull().default(false),
    /** Days members without a factor may still sign in once the requirement is on: 0, 3, 7 or 14. */
    graceDays: integer("grace_days").notNull().default(0),
    /** When the requirement was last switched on; the grace period counts from it. */
    requireStartedAt: at("require_started_at"),
    /** The factor kinds members may use; never empty. */
    allowedMethods: jsonb("allowed_methods")
      .$type<(typeof factorKindEnum.enumValues)[number][]>()
      .notNull()
      .default(["totp", "email", "sms", "webauthn"]),
    /**
     * SMS may be enrolled, but only as a backup (never the default, never the only factor).
     * On by default: SMS is a restricted authenticator (NIST SP 800-63B), so a team opts in to
     * SMS as a primary method — and then its members need phone numbers.
     */
    smsBackupOnly: boolean("sms_backup_only").notNull().default(true),
    /** The method offered first to new members. */
    defaultMethod: factorKindEnum("default_method").notNull().default("totp"),
    /** How long "remember this device" lasts: 0 (never), 1, 7, 14, 30 or 60 days. */
    rememberDeviceDays: integer("remember_device_days").notNull().default(30),
    // ——— SMS credits (lib/teams/credits.ts); every change has a credit_ledger row ———
    creditBalance: integer("credit_balance").notNull().default(50),
    // ——— sessions (lib/auth/sessions.ts); the strictest of a user's teams applies ———
    /** A session unused this long ends: 15 to 60 minutes (NIST SP 800-63B-4 AAL2: at most 1 hour). */
    sessionIdleMinutes: integer("session_idle_minutes").notNull().default(60),
    /** A session ends this long after sign-in, used or not: 1 to 24 hours (AAL2: at most 24 hours). */
    sessionMaxHours: integer("session_max_hours").notNull().default(24),
    // ——— SMS and voice fraud controls (lib/fraud/); the operator's limits are in lib/config.ts ———
    /**
     * ISO 3166-1 alpha-2 countries the team's SMS and voice codes may go to (its members'
     * sign-in codes and its Verify API). A new team starts with a short list of countries where
     * toll fraud is rare and SMS cheap (lib/fraud/countries.ts DEFAULT_SMS_COUNTRIES); owners change it.
     */
    smsCountries: text("sms_countries")
      .array()
      .notNull()
      .default(sql`'{US,CA,GB,IE,DE,FR,ES,IT,NL,BE,LU,AT,CH,PT,SE,NO,DK,FI,IS,AU,NZ}'::text[]`),
    /** Members' own sign-in codes to VoIP numbers: off (NIST SP 800-63B: SMS to VoIP is not out of band). */
    smsVoipMembers: boolean("sms_voip_members").notNull().default(false),
    /** The Verify API's codes to VoIP numbers: on (the developer's own users, the developer's call). */
    smsVoipApi: boolean("sms_voip_api").notNull().default(true),
    /** Set when an anomaly rule paused the team's SMS and voice; an owner resumes them (step-up). */
    smsPausedAt: at("sms_paused_at"),
    /** Why it was paused, in words for the owners' email and the settings page. */
    smsPauseReason: text("sms_pause_reason"),
  },
  (t) => [
    check("teams_session_idle_minutes_valid", sql`${t.sessionIdleMinutes} between 15 and 60`),
    check("teams_session_max_hours_valid", sql`${t.sessionMaxHours} between 1 and 24`),
    check("teams_credit_balance_nonnegative", sql`${t.creditBalance} >= 0`),
    check("teams_sms_countries_size", sql`cardinality(${t.smsCountries}) <= 300`),
    check("teams_grace_days_valid", sql`${t.graceDays} in (0, 3, 7, 14)`),
    check("teams_remember_device_days_valid", sql`${t.rememberDeviceDays} in (0, 1, 7, 14, 30, 60)`),
    check("teams_allowed_methods_nonempty", sql`jsonb_typeof(${t.allowedMethods}) = 'array' and jsonb_array_length(${t.allowedMethods}) > 0`),
  ],
);

export const roleEnum = pgEnum("role", ["owner", "admin", "member"]);

export const memberships = pgTable(
  "memberships",
  {
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: roleEnum("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/**
 * The state between the password and a session. The browser holds the random token in an
 * httpOnly cookie; only its SHA-256 is stored. `completedAt` is set when the second factor
 * (or the absence of one) is satisfied; `consumedAt` when it is exchanged for a session.
 */
export const signInChallenges = pgTable(
  "sign_in_challenges",
  {
    id: id(),
    tokenHash: text("token_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    completedAt: at("completed_at"),
    /** How the challenge was completed: "password" (no factor), "trusted_device", or a factor kind / "recovery_code". */
    completedWith: text("completed_with"),
    consumedAt: at("consumed_at"),
  },
  (t) => [uniqueIndex("sign_in_challenges_token_idx").on(t.tokenHash), index("sign_in_challenges_user_idx").on(t.userId)],
);

/**
 * One row per signed-in browser. The next-auth JWT carries the row id; a session is valid
 * only while its row is neither revoked nor expired, so signing out (or, later, turning 2FA
 * off) really ends it instead of waiting for the JWT to expire.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    revokedAt: at("revoked_at"),
    /** When a second factor was last re-entered in this session (step-up, 10 minutes). */
    stepUpAt: at("step_up_at"),
    /** Last request seen (written at most once a minute); the idle timeout counts from it. */
    lastActiveAt: at("last_active_at").notNull().defaultNow(),
  },
  (t) => [index("sessions_user_idx").on(t.userId, t.createdAt)],
);

/** Fixed-window counters shared by every process (lib/rate-limit). */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    resetAt: at("reset_at").notNull(),
  },
  // lib/db/retention.ts deletes windows long over.
  (t) => [index("rate_limits_reset_idx").on(t.resetAt)],
);

export const channelEnum = pgEnum("channel", ["email", "sms", "voice"]);

/** Messages kept by the built-in provider; /dev/outbox lists them. */
export const outbox = pgTable(
  "outbox",
  {
    id: id(),
    /** Insertion order, for stable newest-first paging. */
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    channel: channelEnum("channel").notNull(),
    to: text("to").notNull(),
    subject: text("subject"),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("outbox_seq_idx").on(t.seq), index("outbox_to_idx").on(t.to), index("outbox_created_idx").on(t.createdAt)],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: id(),
    type: text("type").notNull(),
    /** The account the event is about. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    teamId: uuid("team_id").references(() => teams.id, { onDelete: "set null" }),
    /** Who did it, when someone else than `userId` (an admin). */
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_events_user_idx").on(t.userId, t.createdAt),
    index("audit_events_team_idx").on(t.teamId, t.createdAt),
  ],
);

/** An enrolled, verified second factor. Rows only exist once enrollment succeeded. */
export const factors = pgTable(
  "factors",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: factorKindEnum("kind").notNull(),
    label: text("label").notNull(),
    /** TOTP: the shared secret, AES-256-GCM ciphertext (lib/security/crypto.ts). */
    secretEncrypted: text("secret_encrypted"),
    /** TOTP: the last accepted time step; a code of this step or earlier is never accepted again. */
    lastTotpStep: bigint("last_totp_step", { mode: "number" }),
    /** SMS: the verified number in E.164. */
    phone: text("phone"),
    /** WebAuthn: credential id (base64url), COSE public key (base64url), counter, transports. */
    credentialId: text("credential_id"),
    publicKey: text("public_key"),
    signCount: bigint("sign_count", { mode: "number" }),
    transports: jsonb("transports").$type<string[]>(),
    isDefault: boolean("is_default").notNull().default(false),
    lastUsedAt: at("last_used_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("factors_user_idx").on(t.userId),
    uniqueIndex("factors_credential_idx").on(t.credentialId).where(sql`${t.credentialId} is not null`),
    uniqueIndex("factors_one_default_idx").on(t.userId).where(sql`${t.isDefault}`),
  ],
);

/** Single-use recovery codes, stored as HMAC-SHA-256 under a server key. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /**
     * A short non-secret part of the code that picks its row, so one KDF runs per attempt.
     * Null for codes issued before scrypt (their `code_hash` is an HMAC).
     */
    selector: text("selector"),
    codeHash: text("code_hash").notNull(),
    createdAt: createdAt(),
    consumedAt: at("consumed_at"),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId, t.selector)],
);

/** `admin_reset`: the emailed proof that lets a member replace their factors after an admin reset. */
export const otpPurposeEnum = pgEnum("otp_purpose", ["sign_in", "enroll", "step_up", "admin_reset"]);

/** Emailed, texted or spoken one-time codes: HMAC-stored, 10 minutes, 5 tries, single use. */
export const otpCodes = pgTable(
  "otp_codes",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: otpPurposeEnum("purpose").notNull(),
    channel: channelEnum("channel").notNull(),
    /** The email address or E.164 number the code went to. */
    destination: text("destination").notNull(),
    codeHash: text("code_hash").notNull(),
    /** The sign-in challenge it belongs to (purpose sign_in). */
    challengeId: uuid("challenge_id").references(() => signInChallenges.id, { onDelete: "cascade" }),
    attempts: integer("attempts").notNull().default(0),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    consumedAt: at("consumed_at"),
  },
  (t) => [index("otp_codes_user_idx").on(t.userId, t.purpose, t.createdAt), index("otp_codes_challenge_idx").on(t.challengeId)],
);

/** "Remember this device": the cookie's token hashed, with where it came from and until when. */
export const trustedDevices = pgTable(
  "trusted_devices",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    userAgent: text("user_agent"),
    ip: text("ip"),
    createdAt: createdAt(),
    lastSeenAt: at("last_seen_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
    revokedAt: at("revoked_at"),
    /** The token this one replaced at its last use: presenting it again is a replay and revokes the device. */
    previousTokenHash: text("previous_token_hash"),
    /** The team whose remember period applied when the device was remembered; leaving it revokes the device. */
    periodTeamId: uuid("period_team_id").references(() => teams.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("trusted_devices_token_idx").on(t.tokenHash),
    index("trusted_devices_previous_token_idx").on(t.previousTokenHash),
    index("trusted_devices_user_idx").on(t.userId),
  ],
);

export const webauthnPurposeEnum = pgEnum("webauthn_purpose", ["register", "authenticate"]);

/** WebAuthn challenges: single use, 5 minutes. */
export const webauthnChallenges = pgTable(
  "webauthn_challenges",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: webauthnPurposeEnum("purpose").notNull(),
    /** The ceremony it was made for: a sign-in challenge, a session's step-up, or an enrollment. */
    ceremony: text("ceremony").notNull().default("enroll"),
    signInChallengeId: uuid("sign_in_challenge_id").references(() => signInChallenges.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id").references(() => sessions.id, { onDelete: "cascade" }),
    challenge: text("challenge").notNull(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    consumedAt: at("consumed_at"),
  },
  (t) => [uniqueIndex("webauthn_challenges_challenge_idx").on(t.challenge), index("webauthn_challenges_user_idx").on(t.userId)],
);

/** Password-reset links: the token hashed, 30 minutes, single use. */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    consumedAt: at("consumed_at"),
  },
  (t) => [uniqueIndex("password_resets_token_idx").on(t.tokenHash), index("password_resets_user_idx").on(t.userId)],
);

/**
 * An owner or admin's request to reset a member's 2FA (lib/teams/reset-member.ts). Nothing is
 * removed when it is made: it lets the member, after the password *and* a code sent to their
 * account's address, replace their factors. The member's "keep my 2FA" link cancels it.
 */
export const twoFactorResets = pgTable(
  "two_factor_resets",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    /** SHA-256 of the "this wasn't requested — keep my 2FA" link's token. */
    cancelTokenHash: text("cancel_token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    canceledAt: at("canceled_at"),
    completedAt: at("completed_at"),
  },
  (t) => [uniqueIndex("two_factor_resets_cancel_token_idx").on(t.cancelTokenHash), index("two_factor_resets_user_idx").on(t.userId, t.createdAt)],
);

/**
 * Single-use links emailed to an account for one purpose (e.g. "unblock_second_factor" after
 * 100 consecutive second-factor failures): the token hashed, short-lived.
 */
export const emailLinks = pgTable(
  "email_links",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: at("expires_at").notNull(),
    consumedAt: at("consumed_at"),
  },
  (t) => [uniqueIndex("email_links_token_idx").on(t.tokenHash), index("email_links_user_idx").on(t.userId, t.purpose)],
);

/**
 * Every change of a team's SMS credit balance: -1 per SMS or voice message (with the message's
 * id), +n per top-up. `balance_after` is the balance right after this row's change; `seq`
 * is the order in which the changes happened (the balance update locks the team row, so it
 * is also the order of `balance_after`), and the stable cursor for paging.
 */
export const creditLedger = pgTable(
  "credit_ledger",
  {
    id: id(),
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    delta: integer("delta").notNull(),
    /** "sms" | "voice" | "top_up" */
    reason: text("reason").notNull(),
    /** The message the debit paid for: its `message_deliveries` row. */
    messageId: uuid("message_id"),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    balanceAfter: integer("balance_after").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("credit_ledger_team_idx").on(t.teamId, t.seq.desc()),
    // The operator's daily top-up cap sums a team's last 24 hours of top-ups.
    index("credit_ledger_top_up_idx").on(t.teamId, t.createdAt).where(sql`${t.reason} = 'top_up'`),
  ],
);

/** Invitations to join a team: the link's token hashed, 7 days, single use. */
export const invitations = pgTable(
  "invitations",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** Always stored lower-cased. */
    email: text("email").notNull(),
    role: roleEnum("role").notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    /** E.164; required while the team allows SMS as a primary method. */
    phone: text("phone"),
    createdAt: createdAt(),
    expiresAt: at("expires_at")
      .notNull()
      .default(sql`now() + interval '7 days'`),
    consumedAt: at("consumed_at"),
  },
  (t) => [
    uniqueIndex("invitations_token_idx").on(t.tokenHash),
    index("invitations_team_idx").on(t.teamId),
    index("invitations_email_lower_idx").on(sql`lower(${t.email})`),
  ],
);

/**
 * One row per message handed to a provider, whatever the provider: where it went, the
 * provider's own id and what became of it. Never the message's text (it holds codes).
 */
export const messageDeliveries = pgTable(
  "message_deliveries",
  {
    id: id(),
    provider: text("provider").notNull(),
    channel: channelEnum("channel").notNull(),
    to: text("to").notNull(),
    /** The provider's id for the message (Twilio's `SM…`/`CA…`, Resend's uuid, the outbox row's id). */
    providerMessageId: text("provider_message_id"),
    /**
     * "sending" while the provider is called, then "sent" (accepted), "failed", the provider's
     * later status, or "unknown" when the reconciler could not learn what became of a send.
     */
    status: text("status").notNull(),
    /** The provider's error, for failed sends; never contains a code. */
    error: text("error"),
    createdAt: createdAt(),
    /** The last change, or the reconciler's last look at a delivery still "sending". */
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("message_deliveries_provider_id_idx").on(t.provider, t.providerMessageId),
    index("message_deliveries_created_idx").on(t.createdAt),
    // The reconciler's queue (lib/messaging/reconcile.ts): only deliveries still "sending", oldest touch first.
    index("message_deliveries_sending_idx").on(t.updatedAt).where(sql`${t.status} = 'sending'`),
  ],
);

/** Developer API keys (Team → Developers): `tsk_live_…`, shown once, stored as SHA-256. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The key's first characters, shown in lists so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: at("last_used_at"),
    revokedAt: at("revoked_at"),
    revokedBy: uuid("revoked_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.hash), index("api_keys_team_idx").on(t.teamId, t.createdAt)],
);

export const verificationStatusEnum = pgEnum("verification_status", ["pending", "approved", "failed", "canceled"]);

/**
 * One-time codes the Verify API sends for a team's own users. `expired` is not stored: a
 * pending verification past `expires_at` reads as expired.
 */
export const verifications = pgTable(
  "verifications",
  {
    id: id(),
    teamId: uuid("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id, { onDelete: "set null" }),
    /** E.164 number or lower-cased email address. */
    to: text("to").notNull(),
    channel: channelEnum("channel").notNull(),
    locale: text("locale").notNull().default("en"),
    codeLength: integer("code_length").notNull(),
    codeHash: text("code_hash").notNull(),
    status: verificationStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** Messages sent for it: the first send and each fallback. */
    sends: integer("sends").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
    expiresAt: at("expires_at").notNull(),
  },
  (t) => [
    index("verifications_team_to_idx").on(t.teamId, t.to, t.createdAt),
    index("verifications_created_idx").on(t.createdAt),
    check("verifications_code_length_valid", sql`${t.codeLength} between 4 and 10`),
  ],
);

/**
 * `Idempotency-Key` on the Verify API's create: the first request's answer, replayed to
 * retries with the same key for 24 hours. A row with no `status` is a request in flight.
 */
export const apiIdempotency = pgTable(
  "api_idempotency",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** SHA-256 of the request body: the same key with another body is a conflict. */
    requestHash: text("request_hash").notNull(),
    status: integer("status"),
    body: jsonb("body").$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index("api_idempotency_created_idx").on(t.createdAt)],
);

/**
 * One row: a check value of the master secret (an HMAC of a fixed label under a key derived
 * from it — never the key), written at the first start and compared at every start, so an
 * instance whose key cannot open this database's data stops instead of refusing every code
 * (lib/security/key-check.ts).
 */
export const keyCheck = pgTable(
  "key_check",
  {
    id: integer("id").primaryKey().default(1),
    value: text("value").notNull(),
    createdAt: createdAt(),
    updatedAt: at("updated_at").notNull().defaultNow(),
  },
  (t) => [check("key_check_single_row", sql`${t.id} = 1`)],
);

export type User = typeof users.$inferSelect;
export type Team = typeof teams.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Role = (typeof roleEnum.enumValues)[number];
export type Channel = (typeof channelEnum.enumValues)[number];
export type OutboxMessage = typeof outbox.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Factor = typeof factors.$inferSelect;
export type FactorKind = (typeof factorKindEnum.enumValues)[number];
export type OtpPurpose = (typeof otpPurposeEnum.enumValues)[number];
export type CreditLedgerEntry = typeof creditLedger.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type MessageDelivery = typeof messageDeliveries.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Verification = typeof verifications.$inferSelect;
export type TwoFactorReset = typeof twoFactorResets.$inferSelect;
export type EmailLink = typeof emailLinks.$inferSelect;
export type VerificationStatus = (typeof verificationStatusEnum.enumValues)[number];
