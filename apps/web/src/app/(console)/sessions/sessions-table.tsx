"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatCount, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";

type Session = RouterOutputs["sessions"]["list"]["items"][number];

/** Closes a tripped breaker; only admins see it (the API refuses everyone else too). */
function ResetBreaker({ session }: { session: Session }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const reset = useMutation(
    trpc.sessions.reset.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() }),
    }),
  );
  return (
    <div className="mt-1">
      <button
        type="button"
        className="rounded border border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-50"
        disabled={reset.isPending}
        onClick={() => reset.mutate({ id: session.id })}
      >
        {reset.isPending ? "Resetting…" : "Reset breaker"}
      </button>
      {reset.error && <div className="mt-0.5 text-xs text-red-600">{reset.error.message}</div>}
    </div>
  );
}

export function SessionsTable({ input, canReset }: { input: RouterInputs["sessions"]["list"]; canReset: boolean }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.sessions.list.queryOptions(input));
  return (
    <DataTable<Session>
      label="Sessions"
      data={data}
      rowKey={(session) => session.id}
      empty={{ title: "No sessions yet", description: "A session starts when an agent first asks for a decision with a new session id." }}
      columns={[
        {
          header: "Session",
          cell: (session) => (
            <Link href={`/sessions/${session.id}`} className="font-mono text-xs text-slate-900 hover:text-indigo-600">
              {session.externalId}
            </Link>
          ),
        },
        { header: "Agent", cell: (session) => session.agent.name },
        {
          header: "Status",
          cell: (session) => (
            <div>
              <StatusBadge status={session.status} />
              {session.trippedReason && <div className="mt-0.5 text-xs text-slate-500">{session.trippedReason}</div>}
              {canReset && session.status === "tripped" && <ResetBreaker session={session} />}
            </div>
          ),
        },
        { header: "Decisions", className: "text-right tabular-nums", cell: (session) => formatCount(session.decisionCount) },
        { header: "Started", cell: (session) => formatTime(session.startedAt, timeZone) },
        { header: "Last seen", cell: (session) => formatTime(session.lastSeenAt, timeZone) },
      ]}
    />
  );
}
