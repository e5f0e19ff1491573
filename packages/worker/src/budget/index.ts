export { openBudget, type Budget, type BudgetOptions, type HoldRider } from "./budget";
export { sweepBudgets, type SweepOptions } from "./store";
export type {
  BudgetRefusal,
  BudgetRefusalCode,
  CommitRequest,
  CommitResult,
  EnvelopePeriod,
  EnvelopeToHold,
  HoldRequest,
  HoldResult,
  Money,
  ReleaseRequest,
  ReleaseResult,
  SweepResult,
} from "./types";
