CREATE TYPE "public"."spend_breakdown" AS ENUM('agent', 'action', 'category', 'chain');--> statement-breakpoint
CREATE TABLE "daily_decisions" (
	"organization_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"day" date NOT NULL,
	"outcome" "decision_outcome" NOT NULL,
	"reason_code" text NOT NULL,
	"decisions" bigint NOT NULL,
	CONSTRAINT "daily_decisions_pkey" PRIMARY KEY("organization_id","time_zone","day","outcome","reason_code")
);
--> statement-breakpoint
CREATE TABLE "daily_spend" (
	"organization_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"breakdown" "spend_breakdown" NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"key" text NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "daily_spend_pkey" PRIMARY KEY("organization_id","time_zone","breakdown","day","currency","key"),
	CONSTRAINT "daily_spend_currency" CHECK ("daily_spend"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "daily_spend_amount_non_negative" CHECK ("daily_spend"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "dashboard_rollup_days" (
	"organization_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"day" date NOT NULL,
	"filled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dashboard_rollup_days_pkey" PRIMARY KEY("organization_id","time_zone","day")
);
--> statement-breakpoint
ALTER TABLE "daily_decisions" ADD CONSTRAINT "daily_decisions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_spend" ADD CONSTRAINT "daily_spend_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dashboard_rollup_days" ADD CONSTRAINT "dashboard_rollup_days_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;