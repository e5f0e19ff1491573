"use client";

import type { RouterInputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge, StatusBadge } from "@/components/badge";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { PageHeader } from "@/components/page-header";
import { useTRPC } from "@/trpc/react";
import { PolicyEditor } from "../editor/policy-editor";
import { RolloutPanel } from "./rollout-panel";
import { VersionsPanel } from "./versions-panel";

/** One policy: its editor (opened on the newest version), its rollout and its versions with diffs. */
export function PolicyWorkbench({
  policyId,
  versions,
  shadow,
}: {
  policyId: string;
  versions: RouterInputs["policies"]["versions"];
  shadow: RouterInputs["policies"]["shadow"];
}) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data: policy } = useSuspenseQuery(trpc.policies.byId.queryOptions({ policyId }));
  return (
    <>
      <PageHeader title={policy.name} description={policy.description || "No description."}>
        <div className="flex items-center gap-2 text-sm">
          {policy.published ? (
            <>
              <Badge tone="info">v{policy.published.version} published</Badge>
              <StatusBadge status={policy.published.mode} />
              <span className="text-slate-500">since {formatTime(policy.published.publishedAt, timeZone)}</span>
            </>
          ) : (
            <StatusBadge status="draft" />
          )}
          <Link href="/policies" className="ml-2 text-indigo-600 hover:underline">
            All policies
          </Link>
        </div>
      </PageHeader>
      <div className="space-y-6">
        {/* Opened on the newest version; after a save the editor keeps its text, which is that version. */}
        <PolicyEditor policyId={policy.id} initialSource={policy.latest?.source ?? `name: ${policy.name}\nselector:\n  all: true\n`} />
        <RolloutPanel input={shadow} published={policy.published} />
        {/* Keyed by the newest version, so a new one is compared with the one before by default. */}
        <VersionsPanel key={policy.latest?.version ?? 0} policyId={policy.id} latest={policy.latest?.version ?? 0} input={versions} />
      </div>
    </>
  );
}
