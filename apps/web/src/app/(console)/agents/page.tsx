import Form from "next/form";
import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { choiceParam, pageParam, textParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AgentsTable } from "./agents-table";
import { NewAgentForm } from "./new-agent-form";

const STATUSES = ["active", "suspended"] as const;

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSection("agents");
  const params = await searchParams;
  const input = { page: pageParam(params), search: textParam(params, "search"), status: choiceParam(params, "status", STATUSES) };
  await getQueryClient().prefetchQuery(trpc.agents.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Agents" description="Every non-human identity in your organization, its owner, status and trust score.">
        <Form action="/agents" className="flex gap-2" role="search">
          <input
            name="search"
            type="search"
            defaultValue={input.search}
            placeholder="Search by name or tag"
            aria-label="Search agents by name or tag"
            className="w-64 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/20"
          />
          <select
            name="status"
            defaultValue={input.status ?? ""}
            aria-label="Filter agents by status"
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm shadow-sm"
          >
            <option value="">Any status</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
          <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
            Search
          </button>
        </Form>
      </PageHeader>
      {session.role === "admin" && (
        <div className="mb-4">
          <NewAgentForm />
        </div>
      )}
      <HydrateClient>
        <AgentsTable input={input} />
      </HydrateClient>
    </>
  );
}
