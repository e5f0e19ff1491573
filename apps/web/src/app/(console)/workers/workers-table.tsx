"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { Badge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Worker = RouterOutputs["workers"]["list"]["items"][number];

type Propagation = NonNullable<RouterOutputs["workers"]["list"]["propagation"]>;

/** "3 of 3 live workers serve v42 (agent.suspend), the slowest 180 ms after it was published." */
function PropagationSummary({ propagation }: { propagation: Propagation }) {
  const { version, cause, liveWorkers, workersOnVersion, slowestMs } = propagation;
  const complete = liveWorkers > 0 && workersOnVersion === liveWorkers;
  return (
    <div className="mb-4 flex items-center gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm" data-testid="propagation">
      <Badge tone={complete ? "good" : "warn"}>{complete ? "in sync" : "spreading"}</Badge>
      <span className="text-slate-700">
        <strong className="font-semibold text-slate-900">
          {workersOnVersion} of {liveWorkers}
        </strong>{" "}
        live workers serve snapshot v{version} ({cause})
        {slowestMs !== null && (
          <>
            , the slowest <strong className="font-semibold text-slate-900">{slowestMs} ms</strong> after it was published
          </>
        )}
        .
      </span>
    </div>
  );
}

export function WorkersTable({ input }: { input: RouterInputs["workers"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  // Polls, so a publish or a suspension can be watched reaching every worker.
  const { data } = useSuspenseQuery({ ...trpc.workers.list.queryOptions(input), refetchInterval: 2_000 });
  const latest = data.latestSnapshotVersion;
  return (
    <>
      {data.propagation && <PropagationSummary propagation={data.propagation} />}
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
    </>
  );
}
