"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { StatusBadge } from "@/components/badge";
import { DataTable, EmptyState } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Version = RouterOutputs["policies"]["versions"]["items"][number];

/** The policy's versions, newest first, and the readable diff between any two of them. */
export function VersionsPanel({ policyId, latest, input }: { policyId: string; latest: number; input: RouterInputs["policies"]["versions"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.policies.versions.queryOptions(input));
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const [to, setTo] = useState(latest);
  const comparable = latest >= 2 && from !== to;
  const diff = useQuery(trpc.policies.diff.queryOptions({ policyId, from, to }, { enabled: comparable }));
  const numbers = Array.from({ length: latest }, (_, index) => latest - index);

  return (
    <section aria-labelledby="versions-heading" className="space-y-4">
      <h2 id="versions-heading" className="text-base font-semibold text-slate-900">
        Versions
      </h2>
      <DataTable<Version>
        label="Versions"
        data={data}
        rowKey={(version) => version.version}
        empty={{ title: "No versions yet", description: "Save a draft or publish to write the first version." }}
        columns={[
          { header: "Version", cell: (version) => `v${version.version}` },
          { header: "Status", cell: (version) => <StatusBadge status={version.status} /> },
          { header: "Mode", cell: (version) => version.mode },
          { header: "Author", cell: (version) => version.author ?? <span className="text-slate-400">—</span> },
          { header: "Written", cell: (version) => formatTime(version.createdAt, timeZone) },
          { header: "Published", cell: (version) => (version.publishedAt ? formatTime(version.publishedAt, timeZone) : <span className="text-slate-400">—</span>) },
        ]}
      />
      {latest < 2 ? (
        <EmptyState title="Nothing to compare yet" description="Once the policy has two versions, pick any two to see the lines added and removed." />
      ) : (
        <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
          <div className="flex items-center gap-2 text-sm">
            <label htmlFor="diff-from">Compare</label>
            <select id="diff-from" value={from} onChange={(event) => setFrom(Number(event.target.value))} className="rounded border border-slate-300 px-2 py-1">
              {numbers.map((number) => <option key={number} value={number}>v{number}</option>)}
            </select>
            <label htmlFor="diff-to">with</label>
            <select id="diff-to" value={to} onChange={(event) => setTo(Number(event.target.value))} className="rounded border border-slate-300 px-2 py-1">
              {numbers.map((number) => <option key={number} value={number}>v{number}</option>)}
            </select>
          </div>
          {!comparable && <p className="mt-3 text-sm text-slate-500">Pick two different versions.</p>}
          {diff.error && <p role="alert" className="mt-3 text-sm text-rose-700">{diff.error.message}</p>}
          {comparable && diff.data && (
            <pre className="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-slate-50 py-2 text-xs leading-5" aria-label={`Diff of v${diff.data.from} and v${diff.data.to}`}>
              {diff.data.lines.map((line, index) => (
                <div key={index} className={line.kind === "added" ? "bg-emerald-50 text-emerald-800" : line.kind === "removed" ? "bg-rose-50 text-rose-800" : "text-slate-600"} data-kind={line.kind}>
                  <span className="inline-block w-6 select-none pl-2 text-slate-400">{line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}</span>
                  {line.text}
                </div>
              ))}
            </pre>
          )}
          {comparable && diff.data && diff.data.lines.every((line) => line.kind === "same") && <p className="mt-2 text-sm text-slate-500">These versions have the same rules.</p>}
        </div>
      )}
    </section>
  );
}
