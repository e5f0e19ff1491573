import type { Chain } from "./load";
import type { ChainState, RuleTable } from "./rule-table";

/** Array cells per 64-byte cache line: Node's V8 stores a tagged value in 8 bytes. */
const CELLS_PER_LINE = 8;

// The reads below must have an effect, or the compiler would drop them; an int32 never boxes.
const sink = { touched: 0 };

/**
 * Reads one cell of every cache line of a chain's tables, and the header of every string its
 * state holds (keys that the usage lookups hash, session prefixes and stamps, agent ids), before
 * the checks read them one by one. When the chain is cold (an agent's first call in a while) each line is a trip to
 * memory; the checks would make those trips one after another, each waiting on the last, where
 * these reads do not depend on each other and the processor overlaps them. On a warm chain they
 * cost a few nanoseconds.
 */
export function prefetchChain(chain: Chain): void {
  let sum = touchTable(chain.enforced) ^ touchState(chain.enforcedState);
  if (chain.withShadow !== null) sum ^= touchTable(chain.withShadow) ^ touchState(chain.shadowState!);
  sink.touched ^= sum;
}

function touchTable(table: RuleTable): number {
  let sum = 0;
  for (let cell = 0; cell < table.length; cell += CELLS_PER_LINE) if (table[cell] === null) sum++;
  return sum;
}

// A state is a few lines long, so every cell is read.
function touchState(state: ChainState): number {
  let sum = 0;
  for (const cell of state) if (typeof cell === "string") sum ^= cell.length;
  return sum;
}
