import { handleApiRequest } from "@tollgate/api";
import { getConsoleSession } from "@/server/auth";
import { getDatabase } from "@/server/db";

export const dynamic = "force-dynamic";

/**
 * The console's tRPC endpoint. The session comes from next-auth here, and only here, into the
 * API's context; a request with an admin API token (the `tollgate` CLI) acts as that admin instead.
 */
async function handler(request: Request) {
  const { db, listen } = await getDatabase();
  return handleApiRequest(request, { endpoint: "/api/trpc", db, listen, session: getConsoleSession });
}

export { handler as GET, handler as POST };
