/**
 * Every environment variable Tessera reads goes through this file, NODE_ENV included: the
 * logger (lib/log.ts) and the proxy (proxy.ts) read `config.isProduction`, which Next inlines
 * at build time exactly as it inlines a bare `process.env.NODE_ENV`. It is server-only: a
 * secret read here must never reach a browser bundle, and the proxy runs in Node (Next 16's
 * proxy has no edge runtime), where "server-only" is an empty module.
 *
 * Three places read the environment without it, because they run before or outside it:
 * - instrumentation.ts reads NEXT_RUNTIME (set by Next, never by an operator) to decide
 *   whether Node modules may be loaded at all; it must come before importing this file, and
 *   read bare, Next removes the Node branch from the edge build.
 * - scripts/server.mjs and scripts/test-pg.mjs are plain Node (Node 20 runs no TypeScript):
 *   the server reads PORT and HOSTNAME and sets NODE_ENV and TESSERA_PEER_PROOF before Next
 *   loads; the test runner reads TEST_DATABASE_URL, a variable of the test suite only.
 */
import "server-only";
import os from "node:os";
import path from "node:path";

/** A whole-number variable within bounds; unset means `fallback`, anything else stops with the reason. */
function wholeNumber(name: string, fallback: number, [min, max]: [number, number], unit: string): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number of ${unit} from ${min} to ${max}; it is "${raw}".`);
  }
  return value;
}

/** `true`/`1` or `false`/`0`; unset means `fallback`, anything else stops with the reason. */
function yesNo(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new Error(`${name} must be true or false; it is "${process.env[name]}".`);
}

/**
 * Every environment variable Tessera reads, with its default, in one place.
 * README.md → "Configuration" documents the same list.
 */
export const config = {
  /** A PostgreSQL server; unset means embedded PGlite in `dataDir`. */
  get databaseUrl(): string | undefined {
    return process.env.DATABASE_URL || undefined;
  },
  /**
   * How Tessera talks to a PostgreSQL server (DATABASE_URL only; PGlite is in-process).
   * - TESSERA_DB_POOL_SIZE (1–1000, default 10): connections per process. Instances × pool
   *   size must stay under the server's (or pooler's) connection limit.
   * - TESSERA_DB_PREPARE (`true`/`false`, default true): named prepared statements. `false`
   *   for a pooler in transaction mode (PgBouncer, Supabase's and Neon's pooled URLs), where the
   *   next statement may run on another server connection that never saw the prepare.
   * - TESSERA_DB_CONNECT_TIMEOUT_MS (100–60000, default 5000): how long opening a connection
   *   may take; past it a request is answered "unavailable" instead of hanging.
   * - TESSERA_DB_STATEMENT_TIMEOUT_MS (0–600000, default 10000): PostgreSQL's
   *   `statement_timeout` for every statement, sent at connect; 0 sends none (a pooler that
   *   refuses startup parameters: set it on the role instead).
   */
  get postgres(): { poolSize: number; prepare: boolean; connectTimeoutMs: number; statementTimeoutMs: number } {
    return {
      poolSize: wholeNumber("TESSERA_DB_POOL_SIZE", 10, [1, 1000], "connections"),
      prepare: yesNo("TESSERA_DB_PREPARE", true),
      connectTimeoutMs: wholeNumber("TESSERA_DB_CONNECT_TIMEOUT_MS", 5000, [100, 60_000], "milliseconds"),
      statementTimeoutMs: wholeNumber("TESSERA_DB_STATEMENT_TIMEOUT_MS", 10_000, [0, 600_000], "milliseconds"),
    };
  },
  /** Folder for the embedded database. */
  get dataDir(): string {
    return path.resolve(/*turbopackIgnore: true*/ process.env.TESSERA_DATA_DIR || ".data");
  },
  /** The OS user's folder for Tessera's generated development keys: `$XDG_CONFIG_HOME/tessera`, else `~/.config/tessera`. */
  get configDir(): string {
    return path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "tessera");
  },
  /**
   * Master secret (≥ 32 characters); unset means a key generated once into `configDir`, one
   * per data folder — refused for a server served beyond localhost (lib/security/secret.ts).
   */
  get secret(): string | undefined {
    return process.env.TESSERA_SECRET || undefined;
  },
  /**
   * The secret being rotated out (TESSERA_SECRET_PREVIOUS): data sealed under it still opens,
   * and the database's key check moves to the new secret (README, "Rotating it").
   */
  get previousSecret(): string | undefined {
    return process.env.TESSERA_SECRET_PREVIOUS || undefined;
  },
  /** The public URL people use; WebAuthn's origin and RP ID come from it. */
  get appUrl(): URL {
    return new URL(process.env.NEXTAUTH_URL || "http://localhost:3000");
  },
  get isProduction(): boolean {
    return process.env.NODE_ENV === "production";
  },
  /**
   * Email through Resend: RESEND_API_KEY and EMAIL_FROM (e.g. `Tessera <no-reply@example.com>`)
   * together; neither means the outbox, one without the other stops every email with an error
   * naming the missing one. RESEND_BASE_URL (the SDK's own variable) points it at another
   * Resend-compatible server; unset means https://api.resend.com.
   */
  get resend(): { apiKey?: string; from?: string; baseUrl?: string } {
    return {
      apiKey: process.env.RESEND_API_KEY || undefined,
      from: process.env.EMAIL_FROM || undefined,
      baseUrl: process.env.RESEND_BASE_URL || undefined,
    };
  },
  /**
   * SMS and voice through a Twilio-compatible REST API: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
   * and TWILIO_FROM_NUMBER (E.164) together; none means the outbox, some but not all stops every
   * SMS and call with an error naming the missing ones. TWILIO_API_BASE_URL: another
   * Twilio-compatible server; unset means https://api.twilio.com.
   */
  get twilio(): { accountSid?: string; authToken?: string; fromNumber?: string; baseUrl: string } {
    return {
      accountSid: process.env.TWILIO_ACCOUNT_SID || undefined,
      authToken: process.env.TWILIO_AUTH_TOKEN || undefined,
      fromNumber: process.env.TWILIO_FROM_NUMBER || undefined,
      baseUrl: process.env.TWILIO_API_BASE_URL || "https://api.twilio.com",
    };
  },
  /**
   * How long one provider call may take before the send counts as failed (milliseconds,
   * MESSAGE_TIMEOUT_MS, 100–60000). There is no retry: a person waiting on a code is better
   * told at once than after a storm of attempts.
   */
  get messageTimeoutMs(): number {
    return wholeNumber("MESSAGE_TIMEOUT_MS", 5000, [100, 60_000], "milliseconds");
  },
  /**
   * How long someone must have been a member of a team before its owners or admins may ask
   * to reset their 2FA (hours, TESSERA_MIN_MEMBERSHIP_AGE_FOR_RESET_HOURS, 0–720; default 24):
   * an attacker's fresh team must not be able to invite someone and reset them at once. The
   * e2e suite sets 0, since a browser test cannot wait a day.
   */
  get minMembershipHoursForReset(): number {
    return wholeNumber("TESSERA_MIN_MEMBERSHIP_AGE_FOR_RESET_HOURS", 24, [0, 720], "hours");
  },
  /**
   * Sign-ups allowed from one IP address per hour (TESSERA_SIGNUPS_PER_IP_PER_HOUR, default 20):
   * enough for an office behind one NAT, not for a bot. The e2e suite raises it.
   */
  get signUpsPerIpPerHour(): number {
    return wholeNumber("TESSERA_SIGNUPS_PER_IP_PER_HOUR", 20, [1, 1_000_000], "sign-ups");
  },
  /**
   * How many reverse proxies stand between the internet and Tessera (TRUSTED_PROXY_HOPS,
   * 0–10; default 0). 0: the client address is the TCP peer's and any X-Forwarded-For the
   * client sent is ignored. N: the N-th X-Forwarded-For entry from the right, the one the
   * outermost of N trusted proxies appended (lib/auth/request-meta.ts).
   */
  get trustedProxyHops(): number {
    return wholeNumber("TRUSTED_PROXY_HOPS", 0, [0, 10], "proxies");
  },
  /**
   * The token with which scripts/server.mjs marks the client-address headers it wrote
   * (TESSERA_PEER_PROOF). That server makes a new one at every start and sets it itself;
   * unset means a bare `next dev` or `next start`, and an operator never sets it.
   */
  get peerProof(): string | undefined {
    return process.env.TESSERA_PEER_PROOF || undefined;
  },
  /**
   * The operator's velocity limits on paid messages (SMS and voice), per team
   * (lib/fraud/velocity.ts): per minute (TESSERA_SMS_PER_TEAM_PER_MINUTE, default 30), per day
   * (TESSERA_SMS_PER_TEAM_PER_DAY, default 1000) and per destination country per hour
   * (TESSERA_SMS_PER_TEAM_COUNTRY_PER_HOUR, default 200).
   */
  get smsVelocity(): { perMinute: number; perDay: number; perCountryPerHour: number } {
    return {
      perMinute: wholeNumber("TESSERA_SMS_PER_TEAM_PER_MINUTE", 30, [1, 100_000], "messages"),
      perDay: wholeNumber("TESSERA_SMS_PER_TEAM_PER_DAY", 1000, [1, 10_000_000], "messages"),
      perCountryPerHour: wholeNumber("TESSERA_SMS_PER_TEAM_COUNTRY_PER_HOUR", 200, [1, 1_000_000], "messages"),
    };
  },
  /**
   * Paid messages (SMS and voice) this whole server may send in 24 hours, all teams together
   * (TESSERA_MAX_SMS_PER_DAY, default 5000): the ceiling on what a fraud run can cost the
   * operator before someone looks.
   */
  get maxSmsPerDay(): number {
    return wholeNumber("TESSERA_MAX_SMS_PER_DAY", 5000, [1, 100_000_000], "messages");
  },
  /**
   * Credits one team may add in 24 hours (TESSERA_MAX_CREDITS_PER_DAY, default 500). Top-ups
   * are not paid for in this build: a real deployment connects payment here, and until then
   * the cap is what a hijacked owner account can add.
   */
  get maxCreditsPerDay(): number {
    return wholeNumber("TESSERA_MAX_CREDITS_PER_DAY", 500, [1, 100_000_000], "credits");
  },
  /** The built-in outbox page is on in development, and in production only when asked for. */
  get devOutboxEnabled(): boolean {
    return process.env.NODE_ENV !== "production" || process.env.TESSERA_DEV_OUTBOX === "1";
  },
};
