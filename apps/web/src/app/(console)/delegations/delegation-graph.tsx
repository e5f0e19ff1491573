"use client";

import "@xyflow/react/dist/style.css";
import type { RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { Background, Controls, Handle, MiniMap, Panel, Position, ReactFlow, useReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import { useMemo, useState } from "react";
import { StatusBadge } from "@/components/badge";
import { EmptyState } from "@/components/data-table";
import { formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";
import { AGENT_NODE, layoutDelegations } from "./graph-layout";
import { countRedelegated, RevokeDelegation } from "./revoke-delegation";

type Graph = RouterOutputs["delegations"]["graph"];
type Agent = Graph["agents"][number];
type Delegation = Graph["delegations"][number];
type AgentNode = Node<Agent, "agent">;

function AgentCard({ data }: NodeProps<AgentNode>) {
  return (
    <div
      style={{ width: AGENT_NODE.width, height: AGENT_NODE.height }}
      className={`rounded-lg border bg-white px-3 py-2 shadow-sm ${data.status === "suspended" ? "border-rose-300" : "border-slate-300"}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <p className="truncate text-sm font-medium text-slate-900" title={data.name}>
        {data.name}
      </p>
      <div className="mt-1 flex items-center justify-between text-xs text-slate-500">
        <StatusBadge status={data.status} />
        <span className="tabular-nums">{data.trustScore === null ? "no trust score" : `trust ${data.trustScore}`}</span>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { agent: AgentCard };

/** What an edge says: the actions and, when it has one, the budget. */
function edgeLabel(delegation: Delegation): string {
  const actions = delegation.actions.length > 2 ? `${delegation.actions.slice(0, 2).join(", ")} +${delegation.actions.length - 2}` : delegation.actions.join(", ");
  const budget = delegation.budget ? ` · ${formatMoney(delegation.budget)}` : "";
  const status = delegation.status === "active" ? "" : ` (${delegation.status})`;
  return `${actions}${budget}${status}`;
}

/**
 * Who delegates what to whom: agents as cards (status, trust score), delegations as arrows
 * labelled with scope and budget; revoked and expired ones dimmed. Clicking an arrow shows the
 * delegation, with a revoke button for admins.
 */
export function DelegationGraph({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.delegations.graph.queryOptions());
  const [selectedId, setSelectedId] = useState<string | null>(null);

  // Laid out once per answer: selecting an edge only restyles it.
  const positions = useMemo(
    () =>
      layoutDelegations(
        data.agents.map((agent) => agent.id),
        data.delegations.map((delegation) => ({ id: delegation.id, source: delegation.delegator.id, target: delegation.delegate.id })),
      ),
    [data],
  );
  const { nodes, edges } = useMemo(() => {
    const nodes: AgentNode[] = data.agents.map((agent) => ({
      id: agent.id,
      type: "agent",
      position: positions.get(agent.id)!,
      // Known up front (the card has a fixed size): the graph is read-only, so measured sizes are never written back, and the map needs them.
      ...AGENT_NODE,
      data: agent,
      ariaLabel: `${agent.name}, ${agent.status}`,
    }));
    const edges: Edge[] = data.delegations.map((delegation) => {
      const live = delegation.status === "active";
      return {
        id: delegation.id,
        source: delegation.delegator.id,
        target: delegation.delegate.id,
        label: edgeLabel(delegation),
        ariaRole: "button",
        ariaLabel: `${delegation.delegator.name} → ${delegation.delegate.name}: ${edgeLabel(delegation)}`,
        className: live ? "delegation-live" : "delegation-dimmed",
        selected: delegation.id === selectedId,
        animated: false,
        style: live ? { stroke: "#4f46e5", strokeWidth: 2 } : { stroke: "#94a3b8", strokeDasharray: "6 4", opacity: 0.4 },
        labelStyle: { fontSize: 12, fill: live ? "#1e293b" : "#94a3b8" },
        labelBgStyle: { fill: "#ffffff" },
        markerEnd: { type: "arrowclosed" as const, color: live ? "#4f46e5" : "#94a3b8" },
      };
    });
    return { nodes, edges };
  }, [data, positions, selectedId]);

  if (data.delegations.length === 0) {
    return (
      <div className="mb-8">
        <EmptyState
          title="No delegations yet"
          description="When an agent grants another part of its scope, the two appear here joined by an arrow labelled with what was granted."
        />
      </div>
    );
  }
  const selected = data.delegations.find((delegation) => delegation.id === selectedId) ?? null;
  return (
    <section aria-label="Delegation graph" className="mb-8">
      <div className="h-[560px] overflow-hidden rounded-xl border border-slate-200 bg-slate-50 shadow-sm">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onEdgeClick={(_, edge) => setSelectedId(edge.id)}
          onPaneClick={() => setSelectedId(null)}
          nodesDraggable={false}
          nodesConnectable={false}
          fitView
          // Never start so far out that names cannot be read: a big graph opens on its middle, and
          // the map and the agent finder take you to the rest.
          fitViewOptions={{ minZoom: 0.75, maxZoom: 1.25 }}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
          {data.agents.length > 8 && (
            <>
              <MiniMap pannable zoomable nodeColor={(node) => ((node as AgentNode).data.status === "suspended" ? "#fda4af" : "#a5b4fc")} />
              <Panel position="top-left">
                <AgentFinder agents={data.agents} />
              </Panel>
            </>
          )}
        </ReactFlow>
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Arrows point from delegator to delegate; dashed, faded arrows are revoked or expired. Click an arrow for its details; scroll to zoom, drag to move.
        {data.truncated && " The oldest revoked and expired delegations are left out of the picture; the table lists them all."}
      </p>
      {selected && <DelegationDetails delegation={selected} redelegated={countRedelegated(selected.id, data.delegations)} canManage={canManage} />}
    </section>
  );
}

/** Centres the graph on one agent, for graphs too big to read whole. */
function AgentFinder({ agents }: { agents: readonly Agent[] }) {
  const { fitView } = useReactFlow();
  return (
    <select
      aria-label="Show agent"
      defaultValue=""
      onChange={(event) => {
        if (event.target.value) void fitView({ nodes: [{ id: event.target.value }], maxZoom: 1.1, minZoom: 1.1, duration: 300 });
      }}
      className="rounded border border-slate-300 bg-white px-2 py-1 text-xs shadow-sm"
    >
      <option value="">Show agent…</option>
      {agents.map((agent) => (
        <option key={agent.id} value={agent.id}>
          {agent.name}
        </option>
      ))}
    </select>
  );
}

function DelegationDetails({ delegation, redelegated, canManage }: { delegation: Delegation; redelegated: number; canManage: boolean }) {
  const timeZone = useTimeZone();
  const any = (values: string[] | null) => (values === null ? "any" : values.join(", "));
  return (
    <div role="region" aria-label="Delegation details" className="mt-3 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm">
      <div className="flex items-start justify-between gap-4">
        <h2 className="font-semibold text-slate-900">
          {delegation.delegator.name} <span className="text-slate-400">→</span> {delegation.delegate.name}
        </h2>
        <StatusBadge status={delegation.status} />
      </div>
      <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-slate-700">
        <dt className="text-slate-500">Actions</dt>
        <dd>
          <code className="font-mono text-xs">{delegation.actions.join(", ")}</code>
        </dd>
        <dt className="text-slate-500">Merchants</dt>
        <dd>{any(delegation.merchants)}</dd>
        <dt className="text-slate-500">Categories</dt>
        <dd>{any(delegation.categories)}</dd>
        <dt className="text-slate-500">Budget</dt>
        <dd>{delegation.budget ? `${formatMoney(delegation.budget)} in total` : "none of its own: spend counts against the delegator's envelopes"}</dd>
        <dt className="text-slate-500">Re-delegation</dt>
        <dd>{delegation.maxDepth === 0 ? "not allowed" : `up to ${delegation.maxDepth} more level${delegation.maxDepth === 1 ? "" : "s"}`}</dd>
        <dt className="text-slate-500">{delegation.status === "expired" ? "Expired" : "Expires"}</dt>
        <dd>{formatTime(delegation.expiresAt, timeZone)}</dd>
        {delegation.revokedAt && (
          <>
            <dt className="text-slate-500">Revoked</dt>
            <dd>{formatTime(delegation.revokedAt, timeZone)}</dd>
          </>
        )}
        <dt className="text-slate-500">Granted</dt>
        <dd>{formatTime(delegation.createdAt, timeZone)}</dd>
      </dl>
      {canManage && (
        <div className="mt-3">
          <RevokeDelegation delegation={delegation} redelegated={redelegated} />
        </div>
      )}
    </div>
  );
}
