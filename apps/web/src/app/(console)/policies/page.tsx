import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { requireSection } from "@/server/guard";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { PoliciesTable } from "./policies-table";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage({ searchParams }: { searchParams: SearchParams }) {
  await requireSection("policies");
  const input = { page: pageParam(await searchParams) };
  await getQueryClient().prefetchQuery(trpc.policies.list.queryOptions(input));
  return (
    <>
      <PageHeader title="Policies" description="Versioned rules that select agents. Default is deny: a call passes only when a grant matches and no deny does.">
        <Link href="/policies/new" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
          New policy
        </Link>
      </PageHeader>
      <HydrateClient>
        <PoliciesTable input={input} />
      </HydrateClient>
    </>
  );
}
