-- A published rule must never change under the decisions it made: a policy version's content
-- is written once. Lifecycle columns (status, mode, published_at) may still move.
CREATE FUNCTION "policy_versions_refuse_content_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."source" IS DISTINCT FROM OLD."source"
     OR NEW."document" IS DISTINCT FROM OLD."document"
     OR NEW."version" IS DISTINCT FROM OLD."version"
     OR NEW."policy_id" IS DISTINCT FROM OLD."policy_id"
     OR NEW."organization_id" IS DISTINCT FROM OLD."organization_id" THEN
    RAISE EXCEPTION 'policy version % is immutable: write a new version instead', OLD."id"
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "policy_versions_immutable"
  BEFORE UPDATE ON "policy_versions"
  FOR EACH ROW EXECUTE FUNCTION "policy_versions_refuse_content_change"();
