CREATE TABLE "budget_leases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"envelope_id" uuid NOT NULL,
	"worker_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_leases_envelope_worker_key" UNIQUE("envelope_id","worker_id"),
	CONSTRAINT "budget_leases_amount_non_negative" CHECK ("budget_leases"."amount" >= 0)
);
--> statement-breakpoint
ALTER TABLE "envelopes" DROP CONSTRAINT "envelopes_never_overspent";--> statement-breakpoint
ALTER TABLE "reservations" DROP CONSTRAINT "reservations_decision_fk";
--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "decision_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "envelopes" ADD COLUMN "leased_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_leases" ADD CONSTRAINT "budget_leases_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_leases" ADD CONSTRAINT "budget_leases_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_leases_worker_idx" ON "budget_leases" USING btree ("worker_id");--> statement-breakpoint
CREATE INDEX "budget_leases_expiry_idx" ON "budget_leases" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "envelopes" ADD CONSTRAINT "envelopes_leased_non_negative" CHECK ("envelopes"."leased_amount" >= 0);--> statement-breakpoint
ALTER TABLE "envelopes" ADD CONSTRAINT "envelopes_never_overspent" CHECK ("envelopes"."held_amount" + "envelopes"."committed_amount" + "envelopes"."leased_amount" <= "envelopes"."limit_amount");