import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import type { UserRole } from "@tollgate/db";
import { z, ZodError } from "zod";
import { rolesFor, type Section } from "./access";
import type { Context } from "./context";
import { Conflict, DomainError, Forbidden, Invalid, NotFound } from "./errors";

/** The one mapping from domain errors to tRPC codes (and so to HTTP statuses). */
function codeOf(error: DomainError): TRPC_ERROR_CODE_KEY {
  if (error instanceof NotFound) return "NOT_FOUND";
  if (error instanceof Forbidden) return "FORBIDDEN";
  if (error instanceof Invalid) return "BAD_REQUEST";
  if (error instanceof Conflict) return "CONFLICT";
  return "INTERNAL_SERVER_ERROR";
}

function fieldErrorsOf(cause: unknown): Record<string, string[]> | null {
  if (cause instanceof Invalid) return cause.fieldErrors;
  if (cause instanceof ZodError) {
    const { fieldErrors } = z.flattenError(cause);
    return Object.fromEntries(Object.entries(fieldErrors).filter((entry): entry is [string, string[]] => Array.isArray(entry[1])));
  }
  return null;
}

const t = initTRPC.context<Context>().create({
  // Live subscriptions (server-sent events) ping so proxies keep them open and the browser
  // reconnects when a connection went silently dead.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  errorFormatter({ shape, error }) {
    // Unknown errors (a driver message, a failed output check) stay in the server's log.
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: internal ? "Something went wrong on our side." : shape.message,
      data: { ...data, fieldErrors: internal ? null : fieldErrorsOf(error.cause) },
    };
  },
});

/** Turns a domain error thrown anywhere below into its tRPC error, keeping its message. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: codeOf(cause), message: cause.message, cause });
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(domainErrors);

/** Any signed-in user of any role; `ctx.session` is non-null below. */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { session: ctx.session } });
});

/** A signed-in user holding one of `roles`; `ctx.session.role` narrows to them. */
export function roleProcedure<R extends UserRole>(...roles: R[]) {
  return signedInProcedure.use(({ ctx, next }) => {
    const role = ctx.session.role;
    if (!(roles as UserRole[]).includes(role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Your role (${role}) cannot do this; it needs ${roles.join(" or ")}.` });
    }
    return next({ ctx: { session: { ...ctx.session, role: role as R } } });
  });
}

/** Admins only: the changes to agents, keys, policies and delegations. */
export const adminProcedure = roleProcedure("admin");

/** The roles that may open a console section (see `access.ts`) read its data. */
export const sectionProcedure = (section: Section) => roleProcedure(...rolesFor(section));
