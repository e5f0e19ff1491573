// The load generator of `pnpm bench:worker`: a minimal HTTP/1.1 keep-alive client over raw TCP
// sockets, an open-loop runner on a fixed schedule, a closed-loop runner for maximum
// throughput, and the statistics. Times are process.hrtime.bigint() in nanoseconds.
//
// Why not node:http's client: on a 2-core machine the generator shares the CPU with the server
// under test (and PostgreSQL), so the less it spends per request the less it perturbs what it
// measures; a raw socket costs a write and a small parse per request, and the send time it
// records is the moment the bytes are handed to the kernel. Every connection carries one
// request at a time (no pipelining), like a keep-alive node:http Agent with maxSockets = pool size.
import { connect, type Socket } from "node:net";

const clock = process.hrtime.bigint;
const base = clock();
/** Nanoseconds since the generator started, as a double (exact to 2^53 ns, 104 days). */
export const nowNs = (): number => Number(clock() - base);

export interface Answer {
  /** HTTP status; 0 when no answer came (socket error, timeout). */
  status: number;
  /** The `decision` of a decision answer ("allow", "deny", "pending"), or "" when none. */
  decision: string;
  /** The first reason code of a deny, or "". */
  reason: string;
}

type Settle = (answer: Answer) => void;

const HEADER_END = Buffer.from("\r\n\r\n");
/** Nothing ever notifies it: Atomics.wait on it is a sub-millisecond sleep. */
const napCell = new Int32Array(new SharedArrayBuffer(4));
const DECISION = /"decision":"([a-z]+)"/;
const REASON = /"code":"([a-z_]+)"/;

/** One keep-alive connection; one request in flight at a time. */
class Connection {
  private readonly socket: Socket;
  private buffered: Buffer | null = null;
  private bodyStart = -1;
  private bodyLength = 0;
  private status = 0;
  private settle: Settle | null = null;
  dead = false;

  constructor(
    port: number,
    private readonly onIdle: (connection: Connection) => void,
    private readonly readBody: boolean,
    private readonly onDead: () => void,
  ) {
    this.socket = connect({ port, host: "127.0.0.1", noDelay: true });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    const fail = () => {
      if (!this.dead) onDead();
      this.dead = true;
      const settle = this.settle;
      this.settle = null;
      settle?.({ status: 0, decision: "", reason: "socket_closed" });
    };
    this.socket.on("error", fail);
    this.socket.on("close", fail);
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
  }

  send(request: string, settle: Settle): void {
    this.settle = settle;
    this.socket.write(request);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    if (this.bodyStart < 0) {
      const end = this.buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const head = this.buffered.toString("latin1", 0, end);
      this.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) {
        // The servers under test always send content-length; anything else is a failed request.
        this.socket.destroy();
        return;
      }
      this.bodyStart = end + 4;
      this.bodyLength = Number(length[1]);
    }
    if (this.buffered.length < this.bodyStart + this.bodyLength) return;
    let decision = "";
    let reason = "";
    if (this.readBody) {
      const body = this.buffered.toString("latin1", this.bodyStart, this.bodyStart + this.bodyLength);
      decision = DECISION.exec(body)?.[1] ?? "";
      if (decision !== "allow") reason = REASON.exec(body)?.[1] ?? "";
    }
    const status = this.status;
    this.buffered = null;
    this.bodyStart = -1;
    const settle = this.settle;
    this.settle = null;
    settle?.({ status, decision, reason });
    this.onIdle(this);
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Queued {
  request: string;
  settle: Settle;
  onSent: () => void;
}

/** A fixed set of keep-alive connections with a FIFO queue of requests waiting for a free one. */
export class Pool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: Queued[] = [];
  private head = 0;
  private deadCount = 0;

  private constructor(
    readonly port: number,
    readonly size: number,
    private readonly readBody: boolean,
  ) {}

  static async open(port: number, size: number, readBody: boolean): Promise<Pool> {
    const pool = new Pool(port, size, readBody);
    for (let i = 0; i < size; i++) {
      pool.idle.push(pool.connection());
    }
    await Promise.all(pool.all.map((c) => c.ready()));
    return pool;
  }

  /** Sends as soon as a connection is free; `onSent` runs when the bytes go to the kernel. */
  request(request: string, onSent: () => void): Promise<Answer> {
    return new Promise((settle) => {
      const connection = this.take();
      if (connection) {
        onSent();
        connection.send(request, settle);
      } else this.waiting.push({ request, settle, onSent });
    });
  }

  private connection(): Connection {
    const connection = new Connection(this.port, (c) => this.release(c), this.readBody, () => this.deadCount++);
    this.all.push(connection);
    return connection;
  }

  private take(): Connection | null {
    for (;;) {
      // FIFO, so every connection is used often and none idles into the server's keep-alive
      // timeout (a close racing a new request would show up as a failed request).
      const connection = this.idle.shift();
      if (!connection) {
        // Replace connections the server closed, keeping the pool at its size.
        if (this.all.length - this.deadCount < this.size && this.all.length < this.size * 4) {
          const fresh = this.connection();
          // Writes on a connecting socket are buffered by net until it connects.
          return fresh;
        }
        return null;
      }
      if (!connection.dead) return connection;
    }
  }

  private release(connection: Connection): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as unknown as Queued;
      if (this.head > 4096 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next.onSent();
      connection.send(next.request, next.settle);
      return;
    }
    this.idle.push(connection);
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }
}

/** What one phase measured, per request: times in ns since the generator started. */
export interface PhaseRecord {
  /** When each request was meant to go out (open loop), or was asked for (closed loop). */
  intended: Float64Array;
  sent: Float64Array;
  done: Float64Array;
  status: Uint16Array;
  decision: string[];
  reason: string[];
  /** Requests that were issued (all of them, open loop; until the end, closed loop). */
  count: number;
  /** First intended send to the last completion, in ns. */
  spanNs: number;
  /** When the phase stopped waiting for answers. */
  endNs: number;
}

const newRecord = (n: number): PhaseRecord => ({
  intended: new Float64Array(n),
  sent: new Float64Array(n),
  done: new Float64Array(n),
  status: new Uint16Array(n),
  decision: new Array<string>(n).fill(""),
  reason: new Array<string>(n).fill(""),
  count: 0,
  spanNs: 0,
  endNs: 0,
});

/**
 * Open loop: request i is due at start + i/rate, whatever happened to the others. Latency is
 * counted from that due time, so a request that waits for a free connection, or that the
 * generator sends late, carries the wait (no coordinated omission). Node's timers have
 * millisecond resolution: a due time further than `spinBelowMs` away sleeps on a timer; closer
 * ones are waited for in a setImmediate loop that polls the sockets every turn and, between
 * turns, naps `napMs` in Atomics.wait so that it does not burn a core the server under test
 * needs (an answer that lands during a nap is timestamped up to `napMs` late: a small,
 * conservative error, the same for every server). Completions also send whatever is due.
 * Requests still unanswered `drainMs` after the last due time count as timeouts (status 0).
 */
export async function openLoop(
  pool: Pool,
  requests: readonly string[],
  rate: number,
  options: { spinBelowMs: number; napMs: number; drainMs: number },
): Promise<PhaseRecord> {
  const n = requests.length;
  const record = newRecord(n);
  record.count = n;
  const interval = 1e9 / rate;
  const start = nowNs() + 2e6;
  for (let i = 0; i < n; i++) record.intended[i] = start + i * interval;
  let next = 0;
  let finished = 0;
  let scheduled = false;
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));

  const dispatch = (i: number) => {
    void pool
      .request(requests[i]!, () => {
        record.sent[i] = nowNs();
      })
      .then((answer) => {
        record.done[i] = nowNs();
        record.status[i] = answer.status;
        record.decision[i] = answer.decision;
        record.reason[i] = answer.reason;
        if (++finished === n) resolveAll();
        pump();
      });
  };
  const tick = () => {
    scheduled = false;
    pump();
  };
  function pump(): void {
    const now = nowNs();
    while (next < n && record.intended[next]! <= now) dispatch(next++);
    if (next >= n || scheduled) return;
    scheduled = true;
    const waitMs = (record.intended[next]! - now) / 1e6;
    if (waitMs > options.spinBelowMs) setTimeout(tick, Math.max(0, Math.floor(waitMs - options.spinBelowMs)));
    else {
      if (options.napMs > 0) Atomics.wait(napCell, 0, 0, Math.min(options.napMs, waitMs));
      setImmediate(tick);
    }
  }
  pump();
  const lastDue = record.intended[n - 1]!;
  let over = false;
  const drained = new Promise<void>((resolve) => {
    const check = () => (over || nowNs() > lastDue + options.drainMs * 1e6 ? resolve() : setTimeout(check, 50));
    check();
  });
  await Promise.race([all, drained]);
  over = true;
  record.endNs = nowNs();
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (record.done[i] === 0) {
      record.status[i] = 0;
      record.reason[i] = "timeout";
    } else last = Math.max(last, record.done[i]!);
  }
  record.spanNs = (last || nowNs()) - start;
  return record;
}

/**
 * Closed loop: `concurrency` requests always in flight (one per connection), for `durationMs`.
 * Throughput is the answers received within the duration divided by it.
 */
export async function closedLoop(
  pool: Pool,
  nextRequest: () => string,
  concurrency: number,
  durationMs: number,
): Promise<PhaseRecord & { completedInWindow: number }> {
  // Room for 60,000 answers a second, far above what loopback node:http does on 2 cores.
  const capacity = Math.max(1 << 16, Math.ceil(durationMs * 60));
  const record = newRecord(capacity);
  const start = nowNs();
  const end = start + durationMs * 1e6;
  let completedInWindow = 0;
  const lane = async () => {
    while (nowNs() < end && record.count < capacity) {
      const i = record.count++;
      record.intended[i] = nowNs();
      const answer = await pool.request(nextRequest(), () => (record.sent[i] = nowNs()));
      const done = nowNs();
      record.done[i] = done;
      record.status[i] = answer.status;
      record.decision[i] = answer.decision;
      record.reason[i] = answer.reason;
      if (done <= end) completedInWindow++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  record.spanNs = durationMs * 1e6;
  record.endNs = nowNs();
  return { ...record, completedInWindow };
}

export interface Summary {
  count: number;
  ok: number;
  errors: number;
  errorsByStatus: Record<string, number>;
  outcomes: Record<string, number>;
  achievedRps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** From the actual write to the answer: the server's part without the generator's send lag. */
  serviceP50Ms: number;
  serviceP99Ms: number;
  /** How late the generator sent (actual - intended), including waits for a free connection. */
  lagP99Ms: number;
  lagMaxMs: number;
  /** Requests with no answer when the phase ended; counted in the latencies at the cut-off, so those are lower bounds. */
  unanswered: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Latencies from the due time; errors are every non-2xx (and every request with no answer). */
export function summarize(record: PhaseRecord, span = record.spanNs): Summary {
  const n = record.count;
  const latency: number[] = [];
  const service: number[] = [];
  const lag: number[] = [];
  const errorsByStatus: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  let ok = 0;
  let unanswered = 0;
  for (let i = 0; i < n; i++) {
    const status = record.status[i]!;
    if (record.done[i]! > 0) {
      latency.push(record.done[i]! - record.intended[i]!);
      service.push(record.done[i]! - record.sent[i]!);
      lag.push(record.sent[i]! - record.intended[i]!);
    } else {
      // Leaving them out would hide the worst latencies (coordinated omission by another name).
      unanswered++;
      latency.push(record.endNs - record.intended[i]!);
    }
    if (status >= 200 && status < 300) {
      ok++;
      const outcome = record.decision[i] ? record.decision[i]! + (record.reason[i] ? `:${record.reason[i]}` : "") : "ok";
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } else {
      const key = status === 0 ? record.reason[i] || "no_answer" : `${status}${record.reason[i] ? ` ${record.reason[i]}` : ""}`;
      errorsByStatus[key] = (errorsByStatus[key] ?? 0) + 1;
    }
  }
  const sort = (values: number[]) => Float64Array.from(values).sort();
  const l = sort(latency);
  const s = sort(service);
  const g = sort(lag);
  const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
  return {
    count: n,
    ok,
    errors: n - ok,
    errorsByStatus,
    outcomes,
    achievedRps: Math.round(ok / (span / 1e9)),
    p50Ms: ms(percentile(l, 50)),
    p90Ms: ms(percentile(l, 90)),
    p99Ms: ms(percentile(l, 99)),
    p999Ms: ms(percentile(l, 99.9)),
    maxMs: ms(l.length ? l[l.length - 1]! : NaN),
    serviceP50Ms: ms(percentile(s, 50)),
    serviceP99Ms: ms(percentile(s, 99)),
    lagP99Ms: ms(percentile(g, 99)),
    lagMaxMs: ms(g.length ? g[g.length - 1]! : NaN),
    unanswered,
  };
}
