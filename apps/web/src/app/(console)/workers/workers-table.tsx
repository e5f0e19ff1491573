"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Worker = RouterOutputs["workers"]["list"]["items"][number];

export function WorkersTable({ input }: { input: RouterInputs["workers"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.workers.list.queryOptions(input));
  const latest = data.latestSnapshotVersion;
  return (
    <DataTable<Worker>
      label="Workers"
      data={data}
      rowKey={(worker) => worker.id}
      empty={{ title: "No worker is serving your organization", description: "Workers appear here once they load one of your organization's snapshots." }}
      columns={[
        { header: "Worker", cell: (worker) => <code className="font-mono text-xs text-slate-900">{worker.id}</code> },
        { header: "Host", cell: (worker) => worker.host },
        { header: "Version", cell: (worker) => worker.version },
        {
          header: "Snapshot",
          cell: (worker) => (
            <span className="inline-flex items-center gap-2">
              v{worker.snapshotVersion}
              {latest !== null && (worker.snapshotVersion >= latest ? <Badge tone="good">current</Badge> : <Badge tone="warn">behind v{latest}</Badge>)}
            </span>
          ),
        },
        { header: "Loaded", cell: (worker) => formatTime(worker.snapshotLoadedAt, timeZone) },
        { header: "Last heartbeat", cell: (worker) => formatTime(worker.heartbeatAt, timeZone) },
      ]}
    />
  );
}
