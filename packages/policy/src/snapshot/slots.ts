import type { Counter, Envelope } from "../evaluate/decision";
import type { Calendar, CalendarWindow, Period } from "../period";
import { agentAt, LIMIT, RULE, SLOT, START, startOf, VELOCITY, type ChainState, type RuleTable } from "./rule-table";
import type { Rule } from "./rules";

/**
 * The envelope of the limit entry at `at` of `table` for the window of `nowMs`, or for the
 * session: the chain's slot keeps the last one built, so a key string is built only when a window
 * turns over or a session starts.
 */
export function envelopeAt(table: RuleTable, state: ChainState, at: number, calendar: Calendar, nowMs: number, sessionId: string): Envelope {
  const slot = table[at + LIMIT.slot] as number;
  const period = table[at + LIMIT.period] as Period;
  const window = period === "day" || period === "week" || period === "month" ? calendar.window(period, nowMs) : null;
  // The calendar hands out one object per window, so the stamp compares by reference: a start in
  // ms would be a boxed number, one more trip to memory on a cold entry.
  const stamp = window ?? (period === "session" ? sessionId : period);
  if (state[slot + SLOT.stamp] === stamp) return state[slot + SLOT.value] as Envelope;
  // A session starts on every agent's first call of a task: its key needs nothing but the slot.
  const key = period === "session" ? (state[slot + SLOT.prefix] as string) + sessionId : envelopeKey(table, state, at, window);
  const envelope: Envelope = {
    key,
    owner: `agent:${agentAt(state, 0)}`,
    limit: table[at + LIMIT.limit] as number,
    currency: table[at + LIMIT.currency] as string,
    period,
    windowStart: window === null ? null : window.start,
    windowEnd: window === null ? null : window.end,
    policyId: table[at + LIMIT.policyId] as string,
    rule: table[at + LIMIT.ruleId] as string,
  };
  state[slot + SLOT.stamp] = stamp;
  state[slot + SLOT.key] = key;
  state[slot + SLOT.value] = envelope;
  return envelope;
}

/** `env/agent:agt_1/pol_1:daily/USD/day:2026-11-24`: owner, rule, currency, window; for a session, up to its id (`…/session:`). */
function envelopeKey(table: RuleTable, state: ChainState, at: number, window: CalendarWindow | null): string {
  const period = table[at + LIMIT.period] as Period;
  const label = window !== null ? `${period}:${window.label}` : period === "session" ? "session:" : "all_time";
  return `env/agent:${agentAt(state, 0)}/${(table[at + RULE] as Rule<unknown>).origin.ref}/${table[at + LIMIT.currency] as string}/${label}`;
}

/** The counter of the velocity entry at `at` of `table`: one per agent, or one per agent and session. */
export function counterAt(table: RuleTable, state: ChainState, at: number, sessionId: string): Counter {
  const slot = table[at + VELOCITY.slot] as number;
  const perSession = table[at + VELOCITY.per] === "session";
  const stamp = perSession ? sessionId : "";
  if (state[slot + SLOT.stamp] === stamp) return state[slot + SLOT.value] as Counter;
  const key = perSession ? (state[slot + SLOT.prefix] as string) + sessionId : counterKey(table, state, at, false);
  const counter: Counter = { key, windowSeconds: table[at + VELOCITY.windowSeconds] as number };
  state[slot + SLOT.stamp] = stamp;
  state[slot + SLOT.key] = key;
  state[slot + SLOT.value] = counter;
  return counter;
}

/** `vel/agent:agt_1/pol_1:burst`, and `…/session:` before a session id. */
function counterKey(table: RuleTable, state: ChainState, at: number, perSession: boolean): string {
  const agentId = agentAt(state, table[at + VELOCITY.position] as number);
  return `vel/agent:${agentId}/${(table[at + RULE] as Rule<unknown>).origin.ref}${perSession ? "/session:" : ""}`;
}

/**
 * Fills a fresh state's slots: the key prefix of each session slot; calendar envelopes for the
 * windows of `atMs` (the snapshot's issue time: a worker decides with it soon after), all-time
 * envelopes and per-agent counters. An agent's first call then reads no rule and builds at most
 * its session keys; a later window simply rebuilds its slot. An agent's envelopes and counters
 * recur in the state of every chain it is on, so `built` (by key) shares one object among them.
 * Every key is flattened here (see `flat`), so a call hashes one string, not a rope.
 */
export function primeState(table: RuleTable, state: ChainState, calendar: Calendar, atMs: number, built: Map<string, Envelope | Counter>): void {
  const share = (slot: number, fresh: Envelope | Counter) => {
    const known = built.get(fresh.key) ?? fresh;
    built.set(known.key, known);
    state[slot + SLOT.key] = known.key;
    state[slot + SLOT.value] = known;
  };
  for (let at = startOf(table, START.limits); at < startOf(table, START.amountApprovals); at += LIMIT.stride) {
    const slot = table[at + LIMIT.slot] as number;
    if (table[at + LIMIT.period] === "session") state[slot + SLOT.prefix] = flat(envelopeKey(table, state, at, null));
    else share(slot, flatKeyed(envelopeAt(table, state, at, calendar, atMs, "")));
  }
  for (let at = startOf(table, START.velocity); at < startOf(table, START.merchantApprovals); at += VELOCITY.stride) {
    const slot = table[at + VELOCITY.slot] as number;
    if (table[at + VELOCITY.per] === "session") state[slot + SLOT.prefix] = flat(counterKey(table, state, at, true));
    else share(slot, flatKeyed(counterAt(table, state, at, "")));
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
