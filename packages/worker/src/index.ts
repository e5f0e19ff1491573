export { createWorkerCore, MAX_BODY_BYTES, type WorkerConfig, type WorkerCore, type WorkerRequest, type WorkerResponse } from "./core";
export { createNodeServer } from "./http/node";
export { createFetchHandler } from "./http/fetch";
export { serveWorker, type ServeOptions } from "./serve";
export { WORKER_VERSION } from "./version";
export { openBudget, sweepBudgets, type Budget, type BudgetOptions } from "./budget";
