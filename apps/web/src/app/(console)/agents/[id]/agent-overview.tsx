"use client";

import type { RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, StatusBadge, type Tone } from "@/components/badge";
import { DataTable, EmptyState } from "@/components/data-table";
import { formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { describeRules } from "@/components/rule-text";
import { useTRPC } from "@/trpc/react";

type Overview = RouterOutputs["agents"]["overview"];
type Delegation = Overview["delegationsIn"][number];

const KIND_TONES: Record<ReturnType<typeof describeRules>[number]["kind"], Tone> = { allow: "good", deny: "bad", limit: "neutral", approval: "warn" };

/** The agent page below its facts: trust reasons, effective permissions, delegations both ways, latest decisions. */
export function AgentOverview({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.agents.overview.queryOptions({ id }));
  return (
    <>
      <Section title="Trust score" description="The signals that moved its score most, like a credit report's reason codes.">
        {data.trust === null || data.trust.reasons.length === 0 ? (
          <EmptyState title="No reasons yet" description="The score is computed from the agent's behaviour; it has not done enough to move it." />
        ) : (
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" aria-label="Trust reasons">
            {data.trust.reasons.map((reason) => (
              <li key={reason.code} className="flex items-center justify-between px-4 py-2 text-sm">
                <span className="text-slate-700">{reason.message}</span>
                <span className={`font-semibold tabular-nums ${reason.points < 0 ? "text-rose-700" : "text-emerald-700"}`}>
                  {reason.points > 0 ? "+" : ""}
                  {reason.points}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Permissions overview={data} />
      <Section title="Delegations" description="What it hands to other agents, and what other agents hand to it.">
        <div className="grid gap-4 lg:grid-cols-2">
          <Delegations label="Delegated to others" delegations={data.delegationsOut} other="delegate" />
          <Delegations label="Received from others" delegations={data.delegationsIn} other="delegator" />
        </div>
      </Section>
      <RecentDecisions decisions={data.recentDecisions} />
    </>
  );
}

function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  return (
    <section className="mt-8" aria-label={title}>
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <p className="mb-3 text-sm text-slate-500">{description}</p>
      {children}
    </section>
  );
}

function Permissions({ overview }: { overview: Overview }) {
  const { policies, snapshotVersion } = overview;
  const description =
    snapshotVersion === null ? "What the workers enforce on it." : `What the workers enforce on it, as snapshot v${snapshotVersion} has it: every rule of every policy that selects it.`;
  return (
    <Section title="Effective permissions" description={description}>
      {policies === null || policies.length === 0 ? (
        <EmptyState
          title={policies === null ? "Nothing published yet" : "No policy selects this agent"}
          description="Without a grant it is allowed nothing: every call it makes is denied by default."
        />
      ) : (
        <div className="space-y-4">
          {policies.map((policy) => (
            <div key={policy.policyId} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm" data-testid="effective-policy">
              <div className="mb-2 flex items-center gap-2">
                <h3 className="text-sm font-semibold text-slate-900">{policy.name}</h3>
                <span className="text-xs text-slate-500">v{policy.version}</span>
                {policy.mode === "shadow" && <StatusBadge status="shadow" />}
              </div>
              <ul className="space-y-1 text-sm">
                {describeRules(policy.rules).map((line) => (
                  <li key={line.id} className="flex items-start gap-2">
                    <Badge tone={KIND_TONES[line.kind]}>{line.kind}</Badge>
                    <span className="text-slate-700">{line.text}</span>
                    <code className="ml-auto font-mono text-xs text-slate-400">{line.id}</code>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </Section>
  );
}

function Delegations({ label, delegations, other }: { label: string; delegations: Delegation[]; other: "delegate" | "delegator" }) {
  const timeZone = useTimeZone();
  return (
    <DataTable<Delegation>
      label={label}
      data={{ items: delegations, page: 1, pageSize: Math.max(delegations.length, 1), total: delegations.length }}
      rowKey={(delegation) => delegation.id}
      empty={{ title: `None ${other === "delegate" ? "delegated" : "received"}`, description: other === "delegate" ? "It hands nothing to other agents." : "No agent hands it anything." }}
      columns={[
        {
          header: other === "delegate" ? "To" : "From",
          cell: (delegation) => (
            <Link href={`/agents/${delegation[other].id}`} className="font-medium text-indigo-700 hover:underline">
              {delegation[other].name}
            </Link>
          ),
        },
        { header: "Scope", cell: (delegation) => <code className="font-mono text-xs">{delegation.actions.join(", ")}</code> },
        { header: "Budget", cell: (delegation) => (delegation.budget ? formatMoney(delegation.budget) : "—") },
        { header: "Status", cell: (delegation) => <StatusBadge status={delegation.status} /> },
        { header: "Expires", cell: (delegation) => formatTime(delegation.expiresAt, timeZone) },
      ]}
    />
  );
}

function RecentDecisions({ decisions }: { decisions: Overview["recentDecisions"] }) {
  const timeZone = useTimeZone();
  return (
    <Section title="Recent decisions" description="Its latest calls through the gate; a session tells the whole story of one run.">
      <DataTable<Overview["recentDecisions"][number]>
        label="Recent decisions"
        data={{ items: decisions, page: 1, pageSize: Math.max(decisions.length, 1), total: decisions.length }}
        rowKey={(decision) => decision.id}
        empty={{ title: "No decisions yet", description: "It has not asked the gate for anything." }}
        columns={[
          { header: "When", cell: (decision) => formatTime(decision.createdAt, timeZone) },
          { header: "Action", cell: (decision) => <code className="font-mono text-xs">{decision.action}</code> },
          { header: "Amount", className: "text-right", cell: (decision) => (decision.amount ? formatMoney(decision.amount) : "—") },
          { header: "Merchant", cell: (decision) => decision.merchant ?? "—" },
          { header: "Outcome", cell: (decision) => <StatusBadge status={decision.outcome} /> },
          { header: "Reason", cell: (decision) => (decision.reason ? <code className="font-mono text-xs">{decision.reason}</code> : "—") },
          {
            header: "Session",
            cell: (decision) =>
              decision.session ? (
                <Link href={`/sessions/${decision.session.id}`} className="text-indigo-700 hover:underline">
                  {decision.session.externalId}
                </Link>
              ) : (
                "—"
              ),
          },
        ]}
      />
    </Section>
  );
}
