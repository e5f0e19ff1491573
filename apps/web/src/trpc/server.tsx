import { appRouter, createContext } from "@tollgate/api";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache, type ReactNode } from "react";
import { getConsoleSession } from "@/server/auth";
import { getDb } from "@/server/db";
import { makeQueryClient } from "./query-client";

/**
 * This request's query client: what a server component prefetches
 * (`await getQueryClient().prefetchQuery(trpc.agents.list.queryOptions(input))`) the client
 * components below `HydrateClient` render at once.
 */
export const getQueryClient = cache(makeQueryClient);

const createRequestContext = cache(async () => {
  return createContext({ db: await getDb(), session: await getConsoleSession() });
});

/** tRPC for server components: calls procedures in-process, with the same checks as over HTTP. */
export const trpc = createTRPCOptionsProxy({ router: appRouter, ctx: createRequestContext, queryClient: getQueryClient });

/** Hands everything fetched on the server during this request to the client components below. */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
