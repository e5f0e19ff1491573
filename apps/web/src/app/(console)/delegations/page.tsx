import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { DelegationForm } from "./delegation-form";
import { DelegationGraph } from "./delegation-graph";
import { DelegationsTable } from "./delegations-table";

export const metadata: Metadata = { title: "Delegations" };

export default async function DelegationsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSection("delegations");
  const canManage = session.role === "admin";
  const input = { page: pageParam(await searchParams) };
  await Promise.all([getQueryClient().prefetchQuery(trpc.delegations.graph.queryOptions()), getQueryClient().prefetchQuery(trpc.delegations.list.queryOptions(input))]);
  return (
    <>
      <PageHeader title="Delegations" description="Scopes one agent grants another: always a subset of its own, with a budget carved from its envelope and an expiry." />
      <HydrateClient>
        <DelegationGraph canManage={canManage} />
        {canManage && <DelegationForm />}
        <DelegationsTable input={input} canManage={canManage} />
      </HydrateClient>
    </>
  );
}
