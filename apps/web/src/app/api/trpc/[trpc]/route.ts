import { appRouter, createContext } from "@tollgate/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getConsoleSession } from "@/server/auth";
import { getDatabase } from "@/server/db";

export const dynamic = "force-dynamic";

/** The console's tRPC endpoint: the session comes from next-auth here, and only here, into the API's context. */
function handler(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    async createContext() {
      const { db, listen } = await getDatabase();
      return createContext({ db, session: await getConsoleSession(), listen });
    },
    onError({ error, path }) {
      // Internal errors reach the client as a generic message; their detail is logged here.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
