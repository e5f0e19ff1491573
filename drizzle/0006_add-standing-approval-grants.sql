CREATE TABLE "approval_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"approval_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"action" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"granted_by_user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_grants_approval_id_key" UNIQUE("approval_id"),
	CONSTRAINT "approval_grants_currency" CHECK ("approval_grants"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "approval_grants_amount_positive" CHECK ("approval_grants"."amount" > 0),
	CONSTRAINT "approval_grants_within_amount" CHECK ("approval_grants"."used" >= 0 and "approval_grants"."used" <= "approval_grants"."amount")
);
--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_approval_fk" FOREIGN KEY ("organization_id","approval_id") REFERENCES "public"."approvals"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_session_fk" FOREIGN KEY ("organization_id","session_id") REFERENCES "public"."agent_sessions"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_grants" ADD CONSTRAINT "approval_grants_granted_by_fk" FOREIGN KEY ("organization_id","granted_by_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approval_grants_session_idx" ON "approval_grants" USING btree ("session_id","action");