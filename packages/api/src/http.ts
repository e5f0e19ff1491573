import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Database, Db } from "@tollgate/db";
import { authenticateAdminToken } from "./auth/admin-tokens";
import { createContext, type Session } from "./context";
import { appRouter } from "./root";

export interface ApiRequestOptions {
  /** Where the API is mounted, e.g. `/api/trpc`. */
  endpoint: string;
  db: Db;
  listen?: Database["listen"];
  /** The browser's signed-in session (the console's next-auth), read only when no token is presented. */
  session: () => Promise<Session | null>;
}

/** The API token of an `Authorization: Bearer <token>` header, null without the header. */
function bearerOf(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new TRPCError({ code: "UNAUTHORIZED", message: "Authorization: expected `Bearer <API token>`." });
  return match[1]!;
}

/**
 * Answers one tRPC request over HTTP: the console's route handler and the CLI's tests both
 * serve the API through this. A request carrying an admin API token acts as that admin; any
 * other asks the app for its session. A revoked, expired or unknown token is a 401 saying so.
 *
 * @example export const POST = (request: Request) => handleApiRequest(request, { endpoint: "/api/trpc", db, session })
 */
export function handleApiRequest(request: Request, { endpoint, db, listen, session }: ApiRequestOptions): Promise<Response> {
  return fetchRequestHandler({
    endpoint,
    req: request,
    router: appRouter,
    // A plan carries a whole tollgate.yaml, too long for a GET's URL: the CLI POSTs its queries.
    allowMethodOverride: true,
    async createContext() {
      const token = bearerOf(request);
      if (token === null) return createContext({ db, session: await session(), listen });
      const check = await authenticateAdminToken(db, token, new Date());
      if (!check.ok) throw new TRPCError({ code: "UNAUTHORIZED", message: check.message });
      return createContext({ db, session: check.session, listen });
    },
    onError({ error, path }) {
      // Internal errors reach the client as a generic message; their detail is logged here.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}
