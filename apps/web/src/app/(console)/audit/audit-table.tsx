"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type AuditEvent = RouterOutputs["audit"]["list"]["items"][number];

const actorLabel = (actor: AuditEvent["actor"]) =>
  actor.kind === "user" ? (actor.name ?? "a former user") : actor.kind === "api_token" ? "API token" : "Tollgate";

export function AuditTable({ input }: { input: RouterInputs["audit"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.audit.list.queryOptions(input));
  return (
    <DataTable<AuditEvent>
      label="Audit log"
      data={data}
      rowKey={(event) => event.id}
      empty={{ title: "Nothing recorded yet", description: "Admin changes are recorded here as they happen, with before and after." }}
      columns={[
        { header: "When", cell: (event) => formatTime(event.createdAt, timeZone) },
        { header: "Who", cell: (event) => <span className="font-medium text-slate-900">{actorLabel(event.actor)}</span> },
        { header: "Action", cell: (event) => <Badge tone="info">{event.action}</Badge> },
        {
          header: "Target",
          cell: (event) => (
            <span>
              {event.targetType} <code className="font-mono text-xs text-slate-500">{event.targetId.slice(0, 8)}</code>
            </span>
          ),
        },
        { header: "Change", cell: (event) => <Change before={event.before} after={event.after} /> },
      ]}
    />
  );
}

/** The fields a change touched, before → after; the whole records on request. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const record = (value: unknown) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {});
  const was = record(before);
  const is = record(after);
  const changed = [...new Set([...Object.keys(was), ...Object.keys(is)])].filter((key) => JSON.stringify(was[key]) !== JSON.stringify(is[key]));
  const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));
  if (before === null && after === null) return <span className="text-slate-400">—</span>;
  return (
    <details className="max-w-md whitespace-normal text-xs">
      <summary className="cursor-pointer text-slate-700">
        {before === null ? "created" : after === null ? "deleted" : changed.length === 0 ? "no field changed" : changed.join(", ")}
      </summary>
      <dl className="mt-1 space-y-0.5 font-mono text-slate-600">
        {(before === null || after === null ? Object.keys(before === null ? is : was) : changed).map((key) => (
          <div key={key}>
            <dt className="inline font-semibold">{key}</dt>: <dd className="inline">{show(was[key])} → {show(is[key])}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
