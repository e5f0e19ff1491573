import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { WorkersTable } from "./workers-table";

export const metadata: Metadata = { title: "Workers" };

export default async function WorkersPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("workers");
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.workers.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Workers" description="Decision workers serving your organization and the snapshot version each one enforces." />
      <HydrateClient>
        <WorkersTable input={input} />
      </HydrateClient>
    </>
  );
}
