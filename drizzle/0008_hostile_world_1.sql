ALTER TYPE "public"."otp_purpose" ADD VALUE 'admin_reset';--> statement-breakpoint
CREATE TABLE "email_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "two_factor_resets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"team_id" uuid NOT NULL,
	"requested_by" uuid,
	"cancel_token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"canceled_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "recovery_codes_user_idx";--> statement-breakpoint
ALTER TABLE "teams" ALTER COLUMN "default_method" SET DEFAULT 'totp';--> statement-breakpoint
ALTER TABLE "recovery_codes" ADD COLUMN "selector" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "last_active_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "session_idle_minutes" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "session_max_hours" integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE "trusted_devices" ADD COLUMN "previous_token_hash" text;--> statement-breakpoint
ALTER TABLE "trusted_devices" ADD COLUMN "period_team_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_factor_suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "second_factor_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "second_factor_blocked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD COLUMN "ceremony" text DEFAULT 'enroll' NOT NULL;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD COLUMN "sign_in_challenge_id" uuid;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD COLUMN "session_id" uuid;--> statement-breakpoint
ALTER TABLE "email_links" ADD CONSTRAINT "email_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "two_factor_resets" ADD CONSTRAINT "two_factor_resets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "two_factor_resets" ADD CONSTRAINT "two_factor_resets_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "two_factor_resets" ADD CONSTRAINT "two_factor_resets_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "email_links_token_idx" ON "email_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "email_links_user_idx" ON "email_links" USING btree ("user_id","purpose");--> statement-breakpoint
CREATE UNIQUE INDEX "two_factor_resets_cancel_token_idx" ON "two_factor_resets" USING btree ("cancel_token_hash");--> statement-breakpoint
CREATE INDEX "two_factor_resets_user_idx" ON "two_factor_resets" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "trusted_devices" ADD CONSTRAINT "trusted_devices_period_team_id_teams_id_fk" FOREIGN KEY ("period_team_id") REFERENCES "public"."teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_sign_in_challenge_id_sign_in_challenges_id_fk" FOREIGN KEY ("sign_in_challenge_id") REFERENCES "public"."sign_in_challenges"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trusted_devices_previous_token_idx" ON "trusted_devices" USING btree ("previous_token_hash");--> statement-breakpoint
CREATE INDEX "recovery_codes_user_idx" ON "recovery_codes" USING btree ("user_id","selector");--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_session_idle_minutes_valid" CHECK ("teams"."session_idle_minutes" between 15 and 60);--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_session_max_hours_valid" CHECK ("teams"."session_max_hours" between 1 and 24);