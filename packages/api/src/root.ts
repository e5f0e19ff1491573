import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { adminTokensRouter } from "./routers/admin-tokens";
import { agentsRouter } from "./routers/agents";
import { approvalsRouter } from "./routers/approvals";
import { auditRouter } from "./routers/audit";
import { dashboardRouter } from "./routers/dashboard";
import { delegationsRouter } from "./routers/delegations";
import { meRouter } from "./routers/me";
import { policiesRouter } from "./routers/policies";
import { sessionsRouter } from "./routers/sessions";
import { tollgateFileRouter } from "./routers/tollgate-file";
import { workersRouter } from "./routers/workers";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** Every procedure the console calls, one router per section. */
export const appRouter = createTRPCRouter({
  me: meRouter,
  agents: agentsRouter,
  policies: policiesRouter,
  delegations: delegationsRouter,
  approvals: approvalsRouter,
  sessions: sessionsRouter,
  audit: auditRouter,
  workers: workersRouter,
  dashboard: dashboardRouter,
  adminTokens: adminTokensRouter,
  tollgateFile: tollgateFileRouter,
});

export type AppRouter = typeof appRouter;
/** Each procedure's input, e.g. `RouterInputs["agents"]["list"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Each procedure's output as it arrives on the wire, e.g. `RouterOutputs["agents"]["list"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process (server components, tests): `createCaller(createContext({ db, session }))`. */
export const createCaller = createCallerFactory(appRouter);
