"use client";

import type { RouterInputs, RouterOutputs } from "@tollgate/api";
import { useSuspenseQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/badge";
import { DataTable } from "@/components/data-table";
import { formatMoney, formatTime } from "@/components/format";
import { useTimeZone } from "@/components/organization";
import { useTRPC } from "@/trpc/react";

type Approval = RouterOutputs["approvals"]["list"]["items"][number];

/** Every approval of the organization, pending first: the record; deciding happens in the live queue above. */
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
          cell: ({ amount, approvedAmount }) =>
            amount === null ? (
              <span className="text-slate-400">no amount</span>
            ) : (
              <div>
                {formatMoney(amount)}
                {approvedAmount !== null && approvedAmount !== amount.amount && (
                  <div className="text-xs text-slate-500">approved {formatMoney({ amount: approvedAmount, currency: amount.currency })}</div>
                )}
              </div>
            ),
        },
        {
          header: "Status",
          cell: (approval) => <StatusBadge status={approval.status} />,
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
