"use client";

import type { AuditFilter, RouterOutputs } from "@tollgate/api";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { downloadCsv, toCsv } from "@/components/csv";
import { useTRPC } from "@/trpc/react";

type AuditEvent = RouterOutputs["audit"]["export"]["items"][number];

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** Downloads the filtered log as CSV: every row (up to the export limit), not just this page. */
export function ExportAudit({ filter }: { filter: AuditFilter }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<{ busy: boolean; note?: string }>({ busy: false });

  async function exportLog() {
    setState({ busy: true });
    try {
      const { items, truncated } = await queryClient.fetchQuery(trpc.audit.export.queryOptions(filter));
      const csv = toCsv<AuditEvent>(items, [
        { header: "id", value: (event) => event.id },
        { header: "at", value: (event) => new Date(event.createdAt).toISOString() },
        { header: "actor_kind", value: (event) => event.actor.kind },
        { header: "actor", value: (event) => event.actor.name },
        { header: "action", value: (event) => event.action },
        { header: "target_type", value: (event) => event.targetType },
        { header: "target_id", value: (event) => event.targetId },
        { header: "before", value: (event) => json(event.before) },
        { header: "after", value: (event) => json(event.after) },
      ]);
      downloadCsv("audit-log.csv", csv);
      setState({ busy: false, note: truncated ? `The first ${items.length} rows: narrow the range for the rest.` : undefined });
    } catch (error) {
      setState({ busy: false, note: `The export failed: ${(error as Error).message}` });
    }
  }

  return (
    <div className="flex items-center gap-2">
      {state.note && (
        <span role="status" className="text-xs text-slate-600">
          {state.note}
        </span>
      )}
      <button
        type="button"
        onClick={exportLog}
        disabled={state.busy}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-50"
      >
        {state.busy ? "Exporting…" : "Export CSV"}
      </button>
    </div>
  );
}
