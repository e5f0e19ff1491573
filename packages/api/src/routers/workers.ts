import { listWorkers, listWorkersInput, workerPage } from "../actions/workers";
import { createTRPCRouter, sectionProcedure } from "../trpc";

export const workersRouter = createTRPCRouter({
  list: sectionProcedure("workers").input(listWorkersInput).output(workerPage).query(listWorkers),
});
