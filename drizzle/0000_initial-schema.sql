CREATE TYPE "public"."user_role" AS ENUM('admin', 'reviewer', 'manager');--> statement-breakpoint
CREATE TYPE "public"."agent_status" AS ENUM('active', 'suspended');--> statement-breakpoint
CREATE TYPE "public"."policy_mode" AS ENUM('enforce', 'shadow');--> statement-breakpoint
CREATE TYPE "public"."policy_version_status" AS ENUM('draft', 'published', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."session_status" AS ENUM('open', 'tripped');--> statement-breakpoint
CREATE TYPE "public"."envelope_period" AS ENUM('session', 'day', 'week', 'month', 'all_time');--> statement-breakpoint
CREATE TYPE "public"."ledger_entry_kind" AS ENUM('hold', 'commit', 'release', 'expire');--> statement-breakpoint
CREATE TYPE "public"."reservation_status" AS ENUM('held', 'committed', 'released', 'expired');--> statement-breakpoint
CREATE TYPE "public"."decision_outcome" AS ENUM('allow', 'deny', 'pending');--> statement-breakpoint
CREATE TYPE "public"."approval_status" AS ENUM('pending', 'approved', 'denied', 'expired');--> statement-breakpoint
CREATE TYPE "public"."actor_kind" AS ENUM('user', 'api_token', 'system');--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_slug_format" CHECK ("organizations"."slug" ~ '^[a-z0-9][a-z0-9-]{1,62}$')
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttles" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"window_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" "user_role" NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "users_email_format" CHECK ("users"."email" ~ '^[^@\s]+@[^@\s]+$')
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" "agent_status" DEFAULT 'active' NOT NULL,
	"suspended_at" timestamp with time zone,
	"suspended_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agents_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "agents_organization_id_name_key" UNIQUE("organization_id","name"),
	CONSTRAINT "agents_name_format" CHECK ("agents"."name" ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
	CONSTRAINT "agents_suspension_consistent" CHECK (("agents"."status" = 'suspended') = ("agents"."suspended_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"name" text DEFAULT 'default' NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_key" UNIQUE("prefix"),
	CONSTRAINT "api_keys_hash_key" UNIQUE("hash"),
	CONSTRAINT "api_keys_prefix_format" CHECK ("api_keys"."prefix" ~ '^tg_[A-Za-z0-9]{8}$'),
	CONSTRAINT "api_keys_hash_format" CHECK ("api_keys"."hash" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "api_keys_expiry_after_creation" CHECK ("api_keys"."expires_at" is null or "api_keys"."expires_at" > "api_keys"."created_at")
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "policies_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "policies_organization_id_name_key" UNIQUE("organization_id","name")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"document" jsonb NOT NULL,
	"status" "policy_version_status" DEFAULT 'draft' NOT NULL,
	"mode" "policy_mode" DEFAULT 'enforce' NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "policy_versions_policy_id_version_key" UNIQUE("policy_id","version"),
	CONSTRAINT "policy_versions_version_positive" CHECK ("policy_versions"."version" > 0),
	CONSTRAINT "policy_versions_published_at" CHECK (("policy_versions"."status" = 'draft') = ("policy_versions"."published_at" is null))
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"algorithm" text DEFAULT 'Ed25519' NOT NULL,
	"public_key" text NOT NULL,
	"private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "signing_keys_algorithm" CHECK ("signing_keys"."algorithm" = 'Ed25519')
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content_hash" text NOT NULL,
	"key_id" text NOT NULL,
	"document" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cause" text NOT NULL,
	CONSTRAINT "snapshots_organization_id_version_key" UNIQUE("organization_id","version"),
	CONSTRAINT "snapshots_version_positive" CHECK ("snapshots"."version" > 0),
	CONSTRAINT "snapshots_content_hash_format" CHECK ("snapshots"."content_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "delegations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"delegator_agent_id" uuid NOT NULL,
	"delegate_agent_id" uuid NOT NULL,
	"parent_delegation_id" uuid,
	"scope" jsonb NOT NULL,
	"budget_amount" bigint,
	"budget_currency" char(3),
	"max_depth" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "delegations_not_to_self" CHECK ("delegations"."delegator_agent_id" <> "delegations"."delegate_agent_id"),
	CONSTRAINT "delegations_budget_pair" CHECK (("delegations"."budget_amount" is null) = ("delegations"."budget_currency" is null)),
	CONSTRAINT "delegations_budget_positive" CHECK ("delegations"."budget_amount" is null or "delegations"."budget_amount" > 0),
	CONSTRAINT "delegations_budget_currency" CHECK ("delegations"."budget_currency" is null or "delegations"."budget_currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "delegations_max_depth_range" CHECK ("delegations"."max_depth" between 0 and 8),
	CONSTRAINT "delegations_expiry_after_creation" CHECK ("delegations"."expires_at" > "delegations"."created_at")
);
--> statement-breakpoint
CREATE TABLE "agent_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"status" "session_status" DEFAULT 'open' NOT NULL,
	"tripped_at" timestamp with time zone,
	"tripped_reason" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_sessions_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "agent_sessions_agent_id_external_id_key" UNIQUE("agent_id","external_id"),
	CONSTRAINT "agent_sessions_external_id_length" CHECK (length("agent_sessions"."external_id") between 1 and 200),
	CONSTRAINT "agent_sessions_tripped_consistent" CHECK (("agent_sessions"."status" = 'tripped') = ("agent_sessions"."tripped_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "envelope_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"envelope_id" uuid NOT NULL,
	"reservation_id" uuid,
	"kind" "ledger_entry_kind" NOT NULL,
	"amount" bigint NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "envelope_ledger_amount_non_negative" CHECK ("envelope_ledger"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "envelopes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"envelope_key" text NOT NULL,
	"agent_id" uuid,
	"period" "envelope_period" NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"limit_amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"held_amount" bigint DEFAULT 0 NOT NULL,
	"committed_amount" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "envelopes_window_key" UNIQUE("organization_id","envelope_key","period_start"),
	CONSTRAINT "envelopes_currency" CHECK ("envelopes"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "envelopes_limit_non_negative" CHECK ("envelopes"."limit_amount" >= 0),
	CONSTRAINT "envelopes_held_non_negative" CHECK ("envelopes"."held_amount" >= 0),
	CONSTRAINT "envelopes_committed_non_negative" CHECK ("envelopes"."committed_amount" >= 0),
	CONSTRAINT "envelopes_never_overspent" CHECK ("envelopes"."held_amount" + "envelopes"."committed_amount" <= "envelopes"."limit_amount")
);
--> statement-breakpoint
CREATE TABLE "reservation_envelopes" (
	"reservation_id" uuid NOT NULL,
	"envelope_id" uuid NOT NULL,
	CONSTRAINT "reservation_envelopes_reservation_id_envelope_id_pk" PRIMARY KEY("reservation_id","envelope_id")
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"decision_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"committed_amount" bigint,
	"status" "reservation_status" DEFAULT 'held' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "reservations_decision_id_key" UNIQUE("decision_id"),
	CONSTRAINT "reservations_currency" CHECK ("reservations"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "reservations_amount_positive" CHECK ("reservations"."amount" > 0),
	CONSTRAINT "reservations_commit_within_hold" CHECK ("reservations"."committed_amount" is null or ("reservations"."committed_amount" >= 0 and "reservations"."committed_amount" <= "reservations"."amount")),
	CONSTRAINT "reservations_committed_has_amount" CHECK (("reservations"."status" = 'committed') = ("reservations"."committed_amount" is not null)),
	CONSTRAINT "reservations_settled_at" CHECK (("reservations"."status" = 'held') = ("reservations"."settled_at" is null))
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"session_id" uuid,
	"request_id" text NOT NULL,
	"action" text NOT NULL,
	"amount" bigint,
	"currency" char(3),
	"merchant" text,
	"category" text,
	"on_behalf_of" uuid,
	"chain" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"outcome" "decision_outcome" NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"shadow_outcome" "decision_outcome",
	"snapshot_version" integer NOT NULL,
	"worker_id" text NOT NULL,
	"latency_us" integer,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decisions_organization_id_id_key" UNIQUE("organization_id","id"),
	CONSTRAINT "decisions_agent_id_request_id_key" UNIQUE("agent_id","request_id"),
	CONSTRAINT "decisions_money_pair" CHECK (("decisions"."amount" is null) = ("decisions"."currency" is null)),
	CONSTRAINT "decisions_amount_non_negative" CHECK ("decisions"."amount" is null or "decisions"."amount" >= 0),
	CONSTRAINT "decisions_currency" CHECK ("decisions"."currency" is null or "decisions"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "decisions_request_id_length" CHECK (length("decisions"."request_id") between 1 and 200)
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"decision_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"reservation_id" uuid,
	"action" text NOT NULL,
	"merchant" text,
	"amount" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" "approval_status" DEFAULT 'pending' NOT NULL,
	"approved_amount" bigint,
	"decided_by_user_id" uuid,
	"decided_at" timestamp with time zone,
	"note" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_decision_id_key" UNIQUE("decision_id"),
	CONSTRAINT "approvals_currency" CHECK ("approvals"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "approvals_amount_positive" CHECK ("approvals"."amount" > 0),
	CONSTRAINT "approvals_approved_amount" CHECK (("approvals"."status" = 'approved') = ("approvals"."approved_amount" is not null) and ("approvals"."approved_amount" is null or ("approvals"."approved_amount" > 0 and "approvals"."approved_amount" <= "approvals"."amount"))),
	CONSTRAINT "approvals_decided_consistent" CHECK (("approvals"."status" = 'pending') = ("approvals"."decided_at" is null)),
	CONSTRAINT "approvals_human_decision" CHECK ("approvals"."status" not in ('approved', 'denied') or "approvals"."decided_by_user_id" is not null),
	CONSTRAINT "approvals_expiry_after_creation" CHECK ("approvals"."expires_at" > "approvals"."created_at")
);
--> statement-breakpoint
CREATE TABLE "trust_score_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trust_score_history_range" CHECK ("trust_score_history"."score" between 300 and 850)
);
--> statement-breakpoint
CREATE TABLE "trust_scores" (
	"agent_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "trust_scores_range" CHECK ("trust_scores"."score" between 300 and 850)
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"actor_kind" "actor_kind" NOT NULL,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"prev_hash" text,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_user_actor" CHECK (("audit_events"."actor_kind" = 'user') = ("audit_events"."actor_user_id" is not null)),
	CONSTRAINT "audit_events_action_format" CHECK ("audit_events"."action" ~ '^[a-z_]+\.[a-z_]+$'),
	CONSTRAINT "audit_events_hash_format" CHECK ("audit_events"."hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "worker_snapshots" (
	"worker_id" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"snapshot_version" integer NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "worker_snapshots_worker_id_organization_id_pk" PRIMARY KEY("worker_id","organization_id")
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"version" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_owner_fk" FOREIGN KEY ("organization_id","owner_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies" ADD CONSTRAINT "policies_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_policy_fk" FOREIGN KEY ("organization_id","policy_id") REFERENCES "public"."policies"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_author_fk" FOREIGN KEY ("organization_id","created_by_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signing_keys" ADD CONSTRAINT "signing_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_key_id_signing_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."signing_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegator_fk" FOREIGN KEY ("organization_id","delegator_agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegate_fk" FOREIGN KEY ("organization_id","delegate_agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_parent_fk" FOREIGN KEY ("parent_delegation_id") REFERENCES "public"."delegations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_creator_fk" FOREIGN KEY ("organization_id","created_by_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_sessions" ADD CONSTRAINT "agent_sessions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_sessions" ADD CONSTRAINT "agent_sessions_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelope_ledger" ADD CONSTRAINT "envelope_ledger_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelope_ledger" ADD CONSTRAINT "envelope_ledger_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelope_ledger" ADD CONSTRAINT "envelope_ledger_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelopes" ADD CONSTRAINT "envelopes_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "envelopes" ADD CONSTRAINT "envelopes_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservation_envelopes" ADD CONSTRAINT "reservation_envelopes_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservation_envelopes" ADD CONSTRAINT "reservation_envelopes_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_decision_fk" FOREIGN KEY ("organization_id","decision_id") REFERENCES "public"."decisions"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_session_fk" FOREIGN KEY ("organization_id","session_id") REFERENCES "public"."agent_sessions"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_delegation_fk" FOREIGN KEY ("on_behalf_of") REFERENCES "public"."delegations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decision_fk" FOREIGN KEY ("organization_id","decision_id") REFERENCES "public"."decisions"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decider_fk" FOREIGN KEY ("organization_id","decided_by_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trust_score_history" ADD CONSTRAINT "trust_score_history_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trust_score_history" ADD CONSTRAINT "trust_score_history_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trust_scores" ADD CONSTRAINT "trust_scores_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trust_scores" ADD CONSTRAINT "trust_scores_agent_fk" FOREIGN KEY ("organization_id","agent_id") REFERENCES "public"."agents"("organization_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_fk" FOREIGN KEY ("organization_id","actor_user_id") REFERENCES "public"."users"("organization_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "worker_snapshots" ADD CONSTRAINT "worker_snapshots_worker_id_workers_id_fk" FOREIGN KEY ("worker_id") REFERENCES "public"."workers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "worker_snapshots" ADD CONSTRAINT "worker_snapshots_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "agents_tags_idx" ON "agents" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "api_keys_agent_idx" ON "api_keys" USING btree ("agent_id");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_one_published_idx" ON "policy_versions" USING btree ("policy_id") WHERE "policy_versions"."status" = 'published';--> statement-breakpoint
CREATE INDEX "signing_keys_organization_idx" ON "signing_keys" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "delegations_delegator_idx" ON "delegations" USING btree ("organization_id","delegator_agent_id");--> statement-breakpoint
CREATE INDEX "delegations_delegate_idx" ON "delegations" USING btree ("organization_id","delegate_agent_id");--> statement-breakpoint
CREATE INDEX "agent_sessions_organization_last_seen_idx" ON "agent_sessions" USING btree ("organization_id","last_seen_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "envelope_ledger_envelope_idx" ON "envelope_ledger" USING btree ("envelope_id","created_at");--> statement-breakpoint
CREATE INDEX "envelope_ledger_reservation_idx" ON "envelope_ledger" USING btree ("reservation_id");--> statement-breakpoint
CREATE INDEX "envelopes_agent_idx" ON "envelopes" USING btree ("agent_id","period_start");--> statement-breakpoint
CREATE INDEX "reservation_envelopes_envelope_idx" ON "reservation_envelopes" USING btree ("envelope_id");--> statement-breakpoint
CREATE INDEX "reservations_held_expiry_idx" ON "reservations" USING btree ("expires_at") WHERE "reservations"."status" = 'held';--> statement-breakpoint
CREATE INDEX "decisions_organization_created_idx" ON "decisions" USING btree ("organization_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "decisions_organization_outcome_created_idx" ON "decisions" USING btree ("organization_id","outcome","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "decisions_agent_created_idx" ON "decisions" USING btree ("agent_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "decisions_session_created_idx" ON "decisions" USING btree ("session_id","created_at");--> statement-breakpoint
CREATE INDEX "approvals_queue_idx" ON "approvals" USING btree ("organization_id","status","expires_at");--> statement-breakpoint
CREATE INDEX "trust_score_history_agent_idx" ON "trust_score_history" USING btree ("agent_id","computed_at");--> statement-breakpoint
CREATE INDEX "trust_score_history_organization_idx" ON "trust_score_history" USING btree ("organization_id","computed_at");--> statement-breakpoint
CREATE INDEX "audit_events_organization_created_idx" ON "audit_events" USING btree ("organization_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_events_target_idx" ON "audit_events" USING btree ("organization_id","target_type","target_id");--> statement-breakpoint
CREATE INDEX "workers_heartbeat_idx" ON "workers" USING btree ("heartbeat_at");