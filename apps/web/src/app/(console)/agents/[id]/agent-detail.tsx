"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";
import { TrustScore } from "../agents-table";
import { NewKeyForm, RevokeKey } from "./agent-keys";
import { EditAgent } from "./agent-edit";
import { AgentOverview } from "./agent-overview";
import { SuspensionControls } from "./agent-suspension";

/** The agent page; `canManage` (admins) adds issuing and revoking keys, suspending and resuming. */
export function AgentDetail({ id, canManage }: { id: string; canManage: boolean }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data: agent } = useSuspenseQuery(trpc.agents.byId.queryOptions({ id }));
  const keys = agent.apiKeys;
  return (
    <>
      <Link href="/agents" className="text-sm text-slate-500 hover:text-slate-700">
        ← Agents
      </Link>
      <div className="mb-6 mt-2 flex items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{agent.name}</h1>
        <StatusBadge status={agent.status} />
      </div>
      {agent.description && <p className="-mt-4 mb-6 text-sm text-slate-500">{agent.description}</p>}
      {canManage && <SuspensionControls agent={agent} />}
      {canManage && <EditAgent agent={agent} />}
      <dl className="mb-8 grid grid-cols-2 gap-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm md:grid-cols-4">
        <Fact label="Owner">{agent.owner.name}</Fact>
        <Fact label="Trust score">
          <TrustScore score={agent.trustScore} />
        </Fact>
        <Fact label="Created">{formatTime(agent.createdAt, timeZone)}</Fact>
        <Fact label="Tags">
          <div className="flex flex-wrap gap-1">
            {agent.tags.length === 0 ? <span className="text-slate-400">—</span> : agent.tags.map((tag) => <Badge key={tag}>{tag}</Badge>)}
          </div>
        </Fact>
        {agent.suspendedAt && (
          <Fact label="Suspended">
            {formatTime(agent.suspendedAt, timeZone)}
            {agent.suspendedReason && <span className="block text-xs text-slate-500">{agent.suspendedReason}</span>}
          </Fact>
        )}
      </dl>
      <h2 className="mb-3 text-base font-semibold text-slate-900">API keys</h2>
      {canManage && <NewKeyForm agentId={agent.id} />}
      <DataTable
        label="API keys"
        data={{ items: keys, page: 1, pageSize: Math.max(keys.length, 1), total: keys.length }}
        rowKey={(key) => key.id}
        empty={{ title: "No keys", description: "This agent has no API key, so it cannot ask for decisions." }}
        columns={[
          { header: "Prefix", cell: (key) => <code className="font-mono text-xs">{key.prefix}…</code> },
          { header: "Name", cell: (key) => key.name },
          {
            header: "Status",
            cell: (key) => (
              <StatusBadge status={key.revokedAt ? "revoked" : key.expiresAt && key.expiresAt <= new Date().toISOString() ? "expired" : "active"} />
            ),
          },
          { header: "Created", cell: (key) => formatTime(key.createdAt, timeZone) },
          { header: "Expires", cell: (key) => (key.expiresAt ? formatTime(key.expiresAt, timeZone) : "Never") },
          { header: "Last used", cell: (key) => (key.lastUsedAt ? formatTime(key.lastUsedAt, timeZone) : "Never") },
          ...(canManage ? [{ header: "", cell: (key: (typeof keys)[number]) => !key.revokedAt && <RevokeKey agentId={agent.id} keyId={key.id} /> }] : []),
        ]}
      />
      <AgentOverview id={agent.id} />
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-sm text-slate-900">{children}</dd>
    </div>
  );
}
