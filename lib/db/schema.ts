import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
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
  },
  (t) => [uniqueIndex("users_email_lower_idx").on(sql`lower(${t.email})`)],
);

export const teams = pgTable("teams", {
  id: id(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

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
  },
  (t) => [index("sessions_user_idx").on(t.userId, t.createdAt)],
);

/** Fixed-window counters shared by every process (lib/rate-limit). */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  resetAt: at("reset_at").notNull(),
});

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
  (t) => [uniqueIndex("outbox_seq_idx").on(t.seq), index("outbox_to_idx").on(t.to)],
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

export const factorKindEnum = pgEnum("factor_kind", ["totp", "email", "sms", "webauthn"]);

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
    codeHash: text("code_hash").notNull(),
    createdAt: createdAt(),
    consumedAt: at("consumed_at"),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

export const otpPurposeEnum = pgEnum("otp_purpose", ["sign_in", "enroll", "step_up"]);

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
  },
  (t) => [uniqueIndex("trusted_devices_token_idx").on(t.tokenHash), index("trusted_devices_user_idx").on(t.userId)],
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
