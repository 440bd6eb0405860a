import { sql } from "drizzle-orm";
import {
  bigint,
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

export type User = typeof users.$inferSelect;
export type Team = typeof teams.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Role = (typeof roleEnum.enumValues)[number];
export type Channel = (typeof channelEnum.enumValues)[number];
export type OutboxMessage = typeof outbox.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
