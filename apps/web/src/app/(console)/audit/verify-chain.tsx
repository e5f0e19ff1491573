"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";

/** Recomputes the audit log's hash chain on demand and says whether any entry was edited or deleted. */
export function VerifyChain() {
  const trpc = useTRPC();
  const check = useQuery({ ...trpc.audit.verify.queryOptions(), enabled: false });
  return (
    <div className="flex items-center gap-3">
      {check.data && (
        <span role="status" className={check.data.ok ? "text-sm text-emerald-700" : "text-sm text-rose-700"}>
          {check.data.ok
            ? `Chain intact: ${check.data.checked} ${check.data.checked === 1 ? "entry" : "entries"} verified`
            : `Chain broken: ${check.data.problem}`}
        </span>
      )}
      {check.error && (
        <span role="alert" className="text-sm text-rose-700">
          {check.error.message}
        </span>
      )}
      <button
        type="button"
        onClick={() => void check.refetch()}
        disabled={check.isFetching}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-50"
      >
        {check.isFetching ? "Verifying…" : "Verify chain"}
      </button>
    </div>
  );
}
