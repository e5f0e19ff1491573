import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { PolicyEditor } from "../editor/policy-editor";

export const metadata: Metadata = { title: "New policy" };

// A starting point that validates: it selects every agent and grants nothing risky yet.
const template = `name: new-policy
description: What this policy is for
mode: enforce
selector:
  all: true
grants:
  - id: allowed
    actions: ["search.*"]
`;

export default async function NewPolicyPage() {
  await requireSection("policies");
  return (
    <>
      <PageHeader title="New policy" description="Write the policy in YAML or use the form; save a draft, or publish it to every worker. Replay shows what it would have changed." />
      <PolicyEditor policyId={null} initialSource={template} />
    </>
  );
}
