import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { DelegationsTable } from "./delegations-table";

export const metadata: Metadata = { title: "Delegations" };

export default async function DelegationsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("delegations");
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.delegations.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Delegations" description="Scopes one agent grants another: always a subset of its own, with a budget carved from its envelope and an expiry." />
      <HydrateClient>
        <DelegationsTable input={input} />
      </HydrateClient>
    </>
  );
}
