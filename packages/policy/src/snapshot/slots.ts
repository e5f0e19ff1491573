import type { Counter, Envelope } from "../evaluate/decision";
import type { Calendar, CalendarWindow, Period } from "../period";
import { agentAt, LIMIT, RULE, SLOT, START, startOf, VELOCITY, type Cells, type ChainState, type RuleTable } from "./rule-table";
import type { Rule } from "./rules";

/**
 * The envelope of the limit entry at `at` for the window of `nowMs`, or for the session: the
 * chain's slot keeps the last one built, so a key string is built only when a window turns over
 * or a session starts.
 */
export function envelopeAt(cells: Cells, state: ChainState, at: number, calendar: Calendar, nowMs: number, sessionId: string): Envelope {
  const slot = state + (cells[at + LIMIT.slot] as number);
  const period = cells[at + LIMIT.period] as Period;
  const window = period === "day" || period === "week" || period === "month" ? calendar.window(period, nowMs) : null;
  // The calendar hands out one object per window, so the stamp compares by reference: a start in
  // ms would be a boxed number, one more trip to memory on a cold entry.
  const stamp = window ?? (period === "session" ? sessionId : period);
  if (cells[slot + SLOT.stamp] === stamp) return cells[slot + SLOT.value] as Envelope;
  // A session starts on every agent's first call of a task: its key needs nothing but the slot.
  const key = period === "session" ? (cells[slot + SLOT.prefix] as string) + sessionId : envelopeKey(cells, state, at, window);
  const envelope: Envelope = {
    key,
    owner: `agent:${agentAt(cells, state, 0)}`,
    limit: cells[at + LIMIT.limit] as number,
    currency: cells[at + LIMIT.currency] as string,
    period,
    windowStart: window === null ? null : window.start,
    windowEnd: window === null ? null : window.end,
    policyId: cells[at + LIMIT.policyId] as string,
    rule: cells[at + LIMIT.ruleId] as string,
  };
  cells[slot + SLOT.stamp] = stamp;
  cells[slot + SLOT.key] = key;
  cells[slot + SLOT.value] = envelope;
  return envelope;
}

/** `env/agent:agt_1/pol_1:daily/USD/day:2026-11-24`: owner, rule, currency, window; for a session, up to its id (`…/session:`). */
function envelopeKey(cells: Cells, state: ChainState, at: number, window: CalendarWindow | null): string {
  const period = cells[at + LIMIT.period] as Period;
  const label = window !== null ? `${period}:${window.label}` : period === "session" ? "session:" : "all_time";
  return `env/agent:${agentAt(cells, state, 0)}/${(cells[at + RULE] as Rule<unknown>).origin.ref}/${cells[at + LIMIT.currency] as string}/${label}`;
}

/** The counter of the velocity entry at `at`: one per agent, or one per agent and session. */
export function counterAt(cells: Cells, state: ChainState, at: number, sessionId: string): Counter {
  const slot = state + (cells[at + VELOCITY.slot] as number);
  const perSession = cells[at + VELOCITY.per] === "session";
  const stamp = perSession ? sessionId : "";
  if (cells[slot + SLOT.stamp] === stamp) return cells[slot + SLOT.value] as Counter;
  const key = perSession ? (cells[slot + SLOT.prefix] as string) + sessionId : counterKey(cells, state, at, false);
  const counter: Counter = { key, windowSeconds: cells[at + VELOCITY.windowSeconds] as number };
  cells[slot + SLOT.stamp] = stamp;
  cells[slot + SLOT.key] = key;
  cells[slot + SLOT.value] = counter;
  return counter;
}

/** `vel/agent:agt_1/pol_1:burst`, and `…/session:` before a session id. */
function counterKey(cells: Cells, state: ChainState, at: number, perSession: boolean): string {
  const agentId = agentAt(cells, state, cells[at + VELOCITY.position] as number);
  return `vel/agent:${agentId}/${(cells[at + RULE] as Rule<unknown>).origin.ref}${perSession ? "/session:" : ""}`;
}

/**
 * Fills a fresh state's slots: the key prefix of each session slot; calendar envelopes for the
 * windows of `atMs` (the snapshot's issue time: a worker decides with it soon after), all-time
 * envelopes and per-agent counters. An agent's first call then reads no rule and builds at most
 * its session keys; a later window simply rebuilds its slot. An agent's envelopes and counters
 * recur in the state of every chain it is on, so `built` (by key) shares one object among them.
 * Every key is flattened here (see `flat`), so a call hashes one string, not a rope.
 */
export function primeState(cells: Cells, table: RuleTable, state: ChainState, calendar: Calendar, atMs: number, built: Map<string, Envelope | Counter>): void {
  const share = (slot: number, fresh: Envelope | Counter) => {
    const known = built.get(fresh.key) ?? fresh;
    built.set(known.key, known);
    cells[slot + SLOT.key] = known.key;
    cells[slot + SLOT.value] = known;
  };
  for (let at = startOf(cells, table, START.limits); at < startOf(cells, table, START.amountApprovals); at += LIMIT.stride) {
    const slot = state + (cells[at + LIMIT.slot] as number);
    if (cells[at + LIMIT.period] === "session") cells[slot + SLOT.prefix] = flat(envelopeKey(cells, state, at, null));
    else share(slot, flatKeyed(envelopeAt(cells, state, at, calendar, atMs, "")));
  }
  for (let at = startOf(cells, table, START.velocity); at < startOf(cells, table, START.merchantApprovals); at += VELOCITY.stride) {
    const slot = state + (cells[at + VELOCITY.slot] as number);
    if (cells[at + VELOCITY.per] === "session") cells[slot + SLOT.prefix] = flat(counterKey(cells, state, at, true));
    else share(slot, flatKeyed(counterAt(cells, state, at, "")));
  }
}

/**
 * V8 builds a concatenation as a rope of its parts, which a hash or comparison must walk (one more
 * trip to memory per part on a cold call). JSON.parse always builds a flat string (joins and
 * template literals may hand the rope back).
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

function flatKeyed<T extends Envelope | Counter>(value: T): T {
  return { ...value, key: flat(value.key) };
}
