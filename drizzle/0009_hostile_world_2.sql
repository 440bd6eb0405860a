ALTER TABLE "teams" ADD COLUMN "sms_countries" text[] DEFAULT '{US,CA,GB,IE,DE,FR,ES,IT,NL,BE,LU,AT,CH,PT,SE,NO,DK,FI,IS,AU,NZ}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sms_voip_members" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sms_voip_api" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sms_paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "sms_pause_reason" text;--> statement-breakpoint
CREATE INDEX "credit_ledger_top_up_idx" ON "credit_ledger" USING btree ("team_id","created_at") WHERE "credit_ledger"."reason" = 'top_up';--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_sms_countries_size" CHECK (cardinality("teams"."sms_countries") <= 300);