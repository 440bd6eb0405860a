CREATE TABLE "key_check" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "key_check_single_row" CHECK ("key_check"."id" = 1)
);
