"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Approval = RouterOutputs["approvals"]["list"]["items"][number];

const VERDICTS = [
  { verdict: "approve", label: "Approve", tone: "bg-emerald-600 hover:bg-emerald-500" },
  { verdict: "deny", label: "Deny", tone: "bg-rose-600 hover:bg-rose-500" },
] as const;

/** Approve or deny a pending request, with an optional note. The first reviewer to answer wins. */
function DecideApproval({ approval }: { approval: Approval }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [note, setNote] = useState("");
  const decide = useMutation(
    trpc.approvals.decide.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.approvals.list.queryKey() }),
    }),
  );
  const answer = (verdict: "approve" | "deny") => decide.mutate({ id: approval.id, verdict, ...(note ? { note } : {}) });
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-center gap-1.5">
        <input
          aria-label={`Note for ${approval.agent.name}'s request`}
          className="w-32 rounded border border-slate-300 px-2 py-0.5 text-xs"
          placeholder="Note (optional)"
          value={note}
          onChange={(event) => setNote(event.target.value)}
        />
        {VERDICTS.map(({ verdict, label, tone }) => (
          <button
            key={verdict}
            type="button"
            disabled={decide.isPending}
            onClick={() => answer(verdict)}
            className={`rounded px-2 py-0.5 text-xs font-medium text-white disabled:opacity-50 ${tone}`}
          >
            {label}
          </button>
        ))}
      </div>
      {decide.error && (
        <div role="alert" className="text-xs text-rose-700">
          {decide.error.message}
        </div>
      )}
    </div>
  );
}

export function ApprovalsTable({ input }: { input: RouterInputs["approvals"]["list"] }) {
  const trpc = useTRPC();
  const timeZone = useTimeZone();
  const { data } = useSuspenseQuery(trpc.approvals.list.queryOptions(input));
  return (
    <DataTable<Approval>
      label="Approvals"
      data={data}
      rowKey={(approval) => approval.id}
      empty={
        input.status
          ? { title: `No ${input.status} approvals`, description: "Nothing in this state right now." }
          : { title: "No approvals yet", description: "When a policy asks for a human above a threshold, the request waits here." }
      }
      columns={[
        { header: "Agent", cell: (approval) => <span className="font-medium text-slate-900">{approval.agent.name}</span> },
        {
          header: "Request",
          cell: (approval) => (
            <div>
              <code className="font-mono text-xs">{approval.action}</code>
              {approval.merchant && <div className="text-xs text-slate-500">at {approval.merchant}</div>}
            </div>
          ),
        },
        {
          header: "Amount",
          className: "text-right tabular-nums",
          cell: (approval) => (
            <div>
              {formatMoney(approval.amount)}
              {approval.approvedAmount !== null && approval.approvedAmount !== approval.amount.amount && (
                <div className="text-xs text-slate-500">approved {formatMoney({ amount: approval.approvedAmount, currency: approval.amount.currency })}</div>
              )}
            </div>
          ),
        },
        {
          header: "Status",
          cell: (approval) => (
            <div className="flex flex-col gap-1">
              <StatusBadge status={approval.status} />
              {approval.status === "pending" && <DecideApproval approval={approval} />}
            </div>
          ),
        },
        { header: "Requested", cell: (approval) => formatTime(approval.createdAt, timeZone) },
        {
          header: "Expires / decided",
          cell: (approval) =>
            approval.decidedAt ? (
              <div>
                {formatTime(approval.decidedAt, timeZone)}
                {approval.decidedBy && <div className="text-xs text-slate-500">by {approval.decidedBy.name}</div>}
              </div>
            ) : (
              formatTime(approval.expiresAt, timeZone)
            ),
        },
      ]}
    />
  );
}
