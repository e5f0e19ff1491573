import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { SessionsTable } from "./sessions-table";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSection("sessions");
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.sessions.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Sessions" description="Runs of your agents, most recently active first. A session whose calls keep failing trips until a human resets it." />
      <HydrateClient>
        <SessionsTable input={input} canReset={session.role === "admin"} />
      </HydrateClient>
    </>
  );
}
