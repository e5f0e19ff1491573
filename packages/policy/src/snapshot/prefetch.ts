import { CHAIN } from "./chain-record";
import { BUDGETS_END, START, type Cells, type ChainState, type RuleTable } from "./rule-table";

/** Array cells per 64-byte cache line: Node's V8 stores a tagged value in 8 bytes. */
const CELLS_PER_LINE = 8;

// The reads below must have an effect, or the compiler would drop them; an int32 never boxes.
const sink = { touched: 0 };

/**
 * Reads one cell of every cache line of a chain's record and tables, and the header of every
 * string and number its record and state hold (keys that the usage lookups hash, session
 * prefixes and stamps, agent ids, the live-until instant), before the checks read them one by
 * one. When the chain is cold (an agent's first call in a while) each line is a trip to memory;
 * the checks would make those trips one after another, each waiting on the last, where these
 * reads do not depend on each other and the processor overlaps them. On a warm chain they cost a
 * few nanoseconds.
 */
export function prefetchChain(cells: Cells, chain: number): void {
  let sum = touch(cells, chain, chain + CHAIN.stride);
  sum ^= touchTable(cells, cells[chain + CHAIN.enforced] as RuleTable) ^ touchState(cells, cells[chain + CHAIN.enforcedState] as ChainState);
  const withShadow = cells[chain + CHAIN.withShadow] as RuleTable | null;
  if (withShadow !== null) sum ^= touchTable(cells, withShadow) ^ touchState(cells, cells[chain + CHAIN.shadowState] as ChainState);
  sink.touched ^= sum;
}

function touchTable(cells: Cells, table: RuleTable): number {
  let sum = 0;
  for (let cell = table; cell < (cells[table + START.end] as number); cell += CELLS_PER_LINE) if (cells[cell] === null) sum++;
  return sum;
}

// A state is a few lines long, so every cell is read.
function touchState(cells: Cells, state: ChainState): number {
  return touch(cells, state, cells[state + BUDGETS_END] as number);
}

function touch(cells: Cells, from: number, to: number): number {
  let sum = 0;
  for (let cell = from; cell < to; cell++) {
    const value = cells[cell];
    if (typeof value === "string") sum ^= value.length;
    else if (typeof value === "number" && value > 0) sum++;
  }
  return sum;
}
