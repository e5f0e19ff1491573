CREATE TYPE "public"."signing_key_purpose" AS ENUM('snapshot', 'receipt');--> statement-breakpoint
ALTER TABLE "signing_keys" ADD COLUMN "purpose" "signing_key_purpose" DEFAULT 'snapshot' NOT NULL;