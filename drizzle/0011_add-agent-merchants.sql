CREATE TABLE "agent_merchants" (
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"merchant" text NOT NULL,
	"first_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_merchants_agent_id_merchant_pk" PRIMARY KEY("agent_id","merchant")
);
--> statement-breakpoint
ALTER TABLE "agent_merchants" ADD CONSTRAINT "agent_merchants_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_merchants" ADD CONSTRAINT "agent_merchants_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_merchants_first_used_idx" ON "agent_merchants" USING btree ("first_used_at");