"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";

const SHOWN = 100;

/**
 * Chooses one of the organization's agents: a search box narrows the list (by name or tag, on
 * the server) so the picker stays usable with thousands of agents.
 */
export function AgentPicker({
  id,
  label,
  value,
  onChange,
  error,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (agentId: string) => void;
  error?: string[];
}) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const agents = useQuery({ ...trpc.agents.list.queryOptions({ search: search.trim() || undefined, pageSize: SHOWN }), placeholderData: keepPreviousData });
  const items = agents.data?.items ?? [];
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      <input
        type="search"
        aria-label={`Find ${label.toLowerCase()}`}
        placeholder="Find by name or tag"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        className="w-64 rounded border border-slate-300 px-2 py-1 text-sm"
      />
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
        className="w-64 rounded border border-slate-300 bg-white px-2 py-1 text-sm aria-invalid:border-rose-500"
      >
        <option value="">{agents.isPending ? "Loading agents…" : items.length === 0 ? "No agent matches" : "Choose an agent"}</option>
        {items.map((agent) => (
          <option key={agent.id} value={agent.id}>
            {agent.name}
            {agent.status === "suspended" ? " (suspended)" : ""}
          </option>
        ))}
      </select>
      {agents.data && agents.data.total > SHOWN && <span className="text-xs text-slate-500">First {SHOWN} of {agents.data.total}: search to narrow.</span>}
      {error && (
        <span id={`${id}-error`} role="alert" className="text-xs text-rose-700">
          {error.join("; ")}
        </span>
      )}
    </div>
  );
}
