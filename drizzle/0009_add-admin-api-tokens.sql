CREATE TABLE "admin_api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "admin_api_tokens_prefix_key" UNIQUE("prefix"),
	CONSTRAINT "admin_api_tokens_hash_key" UNIQUE("hash"),
	CONSTRAINT "admin_api_tokens_prefix_format" CHECK ("admin_api_tokens"."prefix" ~ '^tg_[A-Za-z0-9]{8}$'),
	CONSTRAINT "admin_api_tokens_hash_format" CHECK ("admin_api_tokens"."hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "admin_api_tokens_expiry_after_creation" CHECK ("admin_api_tokens"."expires_at" is null or "admin_api_tokens"."expires_at" > "admin_api_tokens"."created_at")
);
--> statement-breakpoint
ALTER TABLE "admin_api_tokens" ADD CONSTRAINT "admin_api_tokens_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_api_tokens" ADD CONSTRAINT "admin_api_tokens_user_fk" FOREIGN KEY ("organization_id","user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_api_tokens_user_idx" ON "admin_api_tokens" USING btree ("organization_id","user_id","created_at");