import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSection } from "@/server/guard";
import { isUuid } from "@/server/ids";
import { pageParam, type SearchParams } from "@/server/search-params";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { PolicyWorkbench } from "./policy-workbench";

export const metadata: Metadata = { title: "Policy" };

export default async function PolicyPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  await requireSection("policies");
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const versions = { policyId: id, page: pageParam(await searchParams) };
  const shadow = { policyId: id, page: 1, pageSize: 10 };
  const queryClient = getQueryClient();
  try {
    await queryClient.fetchQuery(trpc.policies.byId.queryOptions({ policyId: id }));
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  await Promise.all([
    queryClient.prefetchQuery(trpc.policies.versions.queryOptions(versions)),
    queryClient.prefetchQuery(trpc.policies.shadow.queryOptions(shadow)),
  ]);
  return (
    <HydrateClient>
      <PolicyWorkbench policyId={id} versions={versions} shadow={shadow} />
    </HydrateClient>
  );
}
