import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { Histogram } from "./histogram";
import { DURATION_BUCKETS } from "./metrics";

/** The kinds of collection V8 reports, as the metric labels them. */
const KINDS = [
  { kind: "minor", flag: constants.NODE_PERFORMANCE_GC_MINOR },
  { kind: "major", flag: constants.NODE_PERFORMANCE_GC_MAJOR },
  { kind: "incremental", flag: constants.NODE_PERFORMANCE_GC_INCREMENTAL },
  { kind: "weak_callbacks", flag: constants.NODE_PERFORMANCE_GC_WEAKCB },
] as const;

export type GcKind = (typeof KINDS)[number]["kind"];

/** The pauses of one kind of collection, in seconds. */
export interface GcPauses {
  kind: GcKind;
  seconds: Histogram;
}

/**
 * Records every garbage-collection pause of this thread by kind. A pause stops every request in
 * flight, so on a busy worker it is the usual cause of a latency tail that the decision path does
 * not explain: the metric lets an operator (and `pnpm bench:worker`) tell the two apart.
 * V8 reports the pauses after the fact, on a later turn of the event loop.
 */
export function watchGcPauses(): { pauses: readonly GcPauses[]; stop: () => void } {
  const pauses = KINDS.map(({ kind }) => ({ kind, seconds: new Histogram(DURATION_BUCKETS) }));
  const byFlag = new Map<number, Histogram>(KINDS.map(({ flag }, index) => [flag, pauses[index]!.seconds]));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) byFlag.get(kindOf(entry))?.observe(entry.duration / 1000);
  });
  observer.observe({ entryTypes: ["gc"] });
  return { pauses, stop: () => observer.disconnect() };
}

// Node puts the kind in `detail` (since 16); its types for this version do not declare it.
function kindOf(entry: PerformanceEntry): number {
  return (entry as PerformanceEntry & { detail?: { kind?: number } | null }).detail?.kind ?? -1;
}
