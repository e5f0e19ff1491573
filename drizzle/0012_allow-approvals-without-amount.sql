ALTER TABLE "approval_votes" DROP CONSTRAINT "approval_votes_amount";--> statement-breakpoint
ALTER TABLE "approvals" DROP CONSTRAINT "approvals_amount_positive";--> statement-breakpoint
ALTER TABLE "approvals" DROP CONSTRAINT "approvals_currency";--> statement-breakpoint
ALTER TABLE "approvals" DROP CONSTRAINT "approvals_approved_amount";--> statement-breakpoint
ALTER TABLE "approvals" ALTER COLUMN "amount" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ALTER COLUMN "currency" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "approval_votes" ADD CONSTRAINT "approval_votes_amount" CHECK (("approval_votes"."verdict" = 'approve' or "approval_votes"."approved_amount" is null) and ("approval_votes"."approved_amount" is null or "approval_votes"."approved_amount" >= 0));--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_money_pair" CHECK (("approvals"."amount" is null) = ("approvals"."currency" is null));--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_amount_non_negative" CHECK ("approvals"."amount" is null or "approvals"."amount" >= 0);--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_currency" CHECK ("approvals"."currency" is null or "approvals"."currency" ~ '^[A-Z]{3}$');--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_approved_amount" CHECK (("approvals"."status" = 'approved' and "approvals"."amount" is not null) = ("approvals"."approved_amount" is not null) and ("approvals"."approved_amount" is null or ("approvals"."approved_amount" <= "approvals"."amount" and ("approvals"."approved_amount" > 0 or "approvals"."amount" = 0))));