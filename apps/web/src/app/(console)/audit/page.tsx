import type { Metadata } from "next";
import Form from "next/form";
import { z } from "zod";
import { auditFilter, type AuditFilter } from "@tollgate/api";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, textParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AuditTable } from "./audit-table";
import { ExportAudit } from "./export-audit";
import { VerifyChain } from "./verify-chain";

export const metadata: Metadata = { title: "Audit" };

const inputClass =
  "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/20 aria-invalid:border-rose-500";

/** A `YYYY-MM-DD` from a date field as the start of that day in UTC, or the text as typed for the schema to refuse. */
const dayStart = (day: string | undefined, plusDays = 0) => {
  if (!day) return undefined;
  const start = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(start.getTime()) ? day : new Date(start.getTime() + plusDays * 86_400_000).toISOString();
};

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("audit");
  const params = await searchParams;
  const typed = { action: textParam(params, "action"), fromDay: textParam(params, "from"), toDay: textParam(params, "to") };
  // The range is whole days in UTC, the last one included.
  const checked = auditFilter.safeParse({ action: typed.action, from: dayStart(typed.fromDay), to: dayStart(typed.toDay, 1) });
  const problems: Record<string, string[] | undefined> = checked.success ? {} : z.flattenError(checked.error).fieldErrors;
  const filter: AuditFilter = checked.success ? checked.data : {};
  const input = { page: pageParam(params), ...filter };
  await getQueryClient().prefetchQuery(trpc.audit.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Audit log" description="Every change to agents, keys, policies and delegations: who, when, before and after. Newest first.">
        <div className="flex gap-2">
          <ExportAudit filter={filter} />
          <VerifyChain />
        </div>
      </PageHeader>
      <Form action="/audit" role="search" aria-label="Filter the audit log" className="mb-4 flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">Action (or its start, e.g. agent.)</span>
          <input name="action" defaultValue={typed.action} aria-invalid={Boolean(problems.action)} className={`w-56 ${inputClass}`} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">From (UTC)</span>
          <input name="from" type="date" defaultValue={typed.fromDay} aria-invalid={Boolean(problems.from)} className={inputClass} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">To (UTC, included)</span>
          <input name="to" type="date" defaultValue={typed.toDay} aria-invalid={Boolean(problems.to)} className={inputClass} />
        </label>
        <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 shadow-sm hover:bg-slate-50">
          Filter
        </button>
      </Form>
      {!checked.success && (
        <p role="alert" className="mb-4 text-sm text-rose-700">
          {Object.entries(problems)
            .map(([field, messages]) => `${field}: ${messages?.join("; ")}`)
            .join(" · ")}{" "}
          — showing the log unfiltered.
        </p>
      )}
      <HydrateClient>
        <AuditTable input={input} />
      </HydrateClient>
    </>
  );
}
