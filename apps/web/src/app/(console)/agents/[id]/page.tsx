import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { requireSection } from "@/server/guard";
import { isUuid } from "@/server/ids";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { AgentDetail } from "./agent-detail";

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSection("agents");
  const { id } = await params;
  if (!isUuid(id)) notFound();
  try {
    const queryClient = getQueryClient();
    await Promise.all([queryClient.fetchQuery(trpc.agents.byId.queryOptions({ id })), queryClient.prefetchQuery(trpc.agents.overview.queryOptions({ id }))]);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return (
    <HydrateClient>
      <AgentDetail id={id} canManage={session.role === "admin"} />
    </HydrateClient>
  );
}
