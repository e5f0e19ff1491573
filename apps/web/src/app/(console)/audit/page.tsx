import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AuditTable } from "./audit-table";
import { VerifyChain } from "./verify-chain";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("audit");
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.audit.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Audit log" description="Every change to agents, keys, policies and delegations: who, when and what. Newest first.">
        <VerifyChain />
      </PageHeader>
      <HydrateClient>
        <AuditTable input={input} />
      </HydrateClient>
    </>
  );
}
