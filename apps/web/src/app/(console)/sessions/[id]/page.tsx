import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSection } from "@/server/guard";
import { isUuid } from "@/server/ids";
import { getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { SessionStory } from "./session-story";

export const metadata: Metadata = { title: "Session" };

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  await requireSection("sessions");
  const { id } = await params;
  if (!isUuid(id)) notFound();
  try {
    await getQueryClient().fetchQuery(trpc.sessions.story.queryOptions({ id }));
  } catch (error) {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
  return (
    <HydrateClient>
      <SessionStory id={id} />
    </HydrateClient>
  );
}
