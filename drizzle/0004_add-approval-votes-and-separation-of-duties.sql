CREATE TYPE "public"."approval_verdict" AS ENUM('approve', 'deny');--> statement-breakpoint
CREATE TABLE "approval_votes" (
	"organization_id" uuid NOT NULL,
	"approval_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"verdict" "approval_verdict" NOT NULL,
	"approved_amount" bigint,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_votes_approval_id_user_id_pk" PRIMARY KEY("approval_id","user_id"),
	CONSTRAINT "approval_votes_amount" CHECK (("approval_votes"."verdict" = 'approve') = ("approval_votes"."approved_amount" is not null) and ("approval_votes"."approved_amount" is null or "approval_votes"."approved_amount" > 0))
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "owner_may_approve" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "dual_approval_above" bigint;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "dual_approval_currency" char(3);--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "agent_informed_at" timestamp with time zone;--> statement-breakpoint
-- Moved above the foreign key that targets it (drizzle-kit emits it after).
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_organization_id_id_key" UNIQUE("organization_id","id");--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_approval_fk" FOREIGN KEY ("organization_id","approval_id") REFERENCES "public"."approvals"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_user_fk" FOREIGN KEY ("organization_id","user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_dual_approval_pair" CHECK (("organizations"."dual_approval_above" is null) = ("organizations"."dual_approval_currency" is null));--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_dual_approval_positive" CHECK ("organizations"."dual_approval_above" is null or "organizations"."dual_approval_above" > 0);--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_dual_approval_currency" CHECK ("organizations"."dual_approval_currency" is null or "organizations"."dual_approval_currency" ~ '^[A-Z]{3}$');