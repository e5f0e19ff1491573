// `pnpm bench:worker`: decisions per second and latency of the decision worker over loopback,
// with durable logging on, against a seeded organization of 10,000 agents on real PostgreSQL —
// and, in the same run, a bare node:http JSON endpoint as the floor.
//
// Setup: a fresh database `tollgate_bench` (dropped first if it exists, dropped again at the end),
// migrated, seeded (worker-seed.ts), one snapshot published. The worker runs as its own process
// (`node --import tsx src/main.ts`), the floor as another (worker-floor.ts); this process is only
// the load generator (worker-load.ts). Phases, each floor then worker: an open loop at every rate
// (warm-up, then the measured run; latency from each request's due time), then a closed loop at
// a fixed concurrency for maximum throughput. One JSON line, last.
//
// Environment (all optional): BENCH_POSTGRES_URL (server, default postgres://postgres@127.0.0.1:5432),
// BENCH_RATES (2000,5000), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_MAX_SECONDS (5),
// BENCH_DRAIN_SECONDS (10: how long after the last due time answers are awaited), BENCH_MAX_WARMUP_SECONDS (1), BENCH_AGENTS (10000), BENCH_CONCURRENCY (64, closed loop), BENCH_CONNECTIONS (128, open loop), BENCH_SPIN_MS (2: due
// times closer than this are polled with setImmediate rather than slept on a ms timer), BENCH_NAP_MS
// (0.05: the sleep between those polls; 0 spins), BENCH_WORKER_URL_QUERY and BENCH_WORKER_NODE_ARGS (see below).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrate, openDatabase, type Database } from "@tollgate/db";
import { sql } from "drizzle-orm";
import { closedLoop, nowNs, openLoop, Pool, summarize, type Summary } from "./worker-load";
import { AGENTS, requestMix, seedOrganization } from "./worker-seed";

const env = process.env;
const SERVER_URL = (env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432").replace(/\/+$/, "");
const DATABASE = "tollgate_bench";
const RATES = (env.BENCH_RATES ?? "2000,5000").split(",").map(Number);
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(env.BENCH_WARMUP_SECONDS ?? 2);
const MAX_SECONDS = Number(env.BENCH_MAX_SECONDS ?? 5);
const MAX_WARMUP_SECONDS = Number(env.BENCH_MAX_WARMUP_SECONDS ?? 1);
const AGENT_COUNT = Number(env.BENCH_AGENTS ?? AGENTS);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 64);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 128);
const SPIN_MS = Number(env.BENCH_SPIN_MS ?? 2);
const NAP_MS = Number(env.BENCH_NAP_MS ?? 0.05);
/** Appended to the worker's DATABASE_URL (postgres.js sends unknown parameters as server settings), e.g. `synchronous_commit=off` to see what the commit flushes cost; empty by default. */
const WORKER_URL_QUERY = env.BENCH_WORKER_URL_QUERY ?? "";
const DRAIN_MS = Number(env.BENCH_DRAIN_SECONDS ?? 10) * 1_000;
/** The worker journals decisions and holds to a local directory (the production setting); BENCH_JOURNAL=0 makes every answer wait for PostgreSQL instead. */
const JOURNAL = env.BENCH_JOURNAL !== "0";
/** Extra node flags for the worker process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its time goes under load. */
const WORKER_NODE_ARGS = (env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
/** The whole run, setup to cleanup, is bounded: past this the children are killed and the run fails. */
const DEADLINE_MS = 170_000;

const workerDir = fileURLToPath(new URL("..", import.meta.url));
const mainPath = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const floorPath = fileURLToPath(new URL("./worker-floor.ts", import.meta.url));
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

/** Starts `script` under tsx and resolves with the first stdout line `ready` extracts something from. */
function start(name: string, script: string, extraEnv: Record<string, string>, ready: (line: string) => string | null, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, ["--import", "tsx", ...nodeArgs, script], {
    cwd: workerDir,
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const logLines: string[] = [];
  const found = new Promise<string>((resolve, reject) => {
    let buffered = "";
    let resolved = false;
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!resolved) {
          const value = ready(line);
          if (value !== null) {
            resolved = true;
            resolve(value);
            continue;
          }
        }
        if (logLines.length < 10_000) logLines.push(line);
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => process.stderr.write(`[${name}] ${chunk}`));
    child.once("exit", (code, signal) => {
      if (!resolved) reject(new Error(`${name} exited (${code ?? signal}) before it was ready`));
    });
  });
  return { child, found, logLines };
}

async function stop(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used, from /proc; null where /proc is missing. */
function processCpu(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The whole machine's busy and total CPU seconds, from /proc/stat. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const values = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0) / 100;
    const idle = (values[3]! + (values[4] ?? 0)) / 100;
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Measures CPU use (in cores) of the server under test, this generator and the machine over `work`. */
async function withCpu<T>(serverPid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpu: string }> {
  const server0 = processCpu(serverPid);
  const self0 = process.cpuUsage();
  const machine0 = machineCpu();
  const t0 = nowNs();
  const result = await work();
  const seconds = (nowNs() - t0) / 1e9;
  const server1 = processCpu(serverPid);
  const self = process.cpuUsage(self0);
  const machine1 = machineCpu();
  const cores = (value: number) => (value / seconds).toFixed(2);
  const parts = [];
  if (server0 !== null && server1 !== null) parts.push(`server ${cores(server1 - server0)}`);
  parts.push(`generator ${cores((self.user + self.system) / 1e6)}`);
  if (machine0 && machine1) parts.push(`machine ${cores(machine1.busy - machine0.busy)} of ${((machine1.total - machine0.total) / seconds).toFixed(1)}`);
  return { result, cpu: `cpu (cores): ${parts.join(", ")}` };
}

/** PostgreSQL's counters: transactions committed in the bench database, WAL flushes and bytes (whole server). */
async function pgCounters(database: Database): Promise<{ xact: number; walSync: number; walBytes: number } | null> {
  try {
    const [row] = (await database.db.execute(sql`
      select (select xact_commit from pg_stat_database where datname = ${DATABASE})::float8 as xact,
             (select wal_sync from pg_stat_wal)::float8 as "walSync",
             (select wal_bytes from pg_stat_wal)::float8 as "walBytes"`)) as unknown as { xact: number; walSync: number; walBytes: number }[];
    return row ?? null;
  } catch {
    return null;
  }
}

/**
 * What PostgreSQL did during a worker phase, per second. Backends report their counters about
 * once a second, so both ends are read after a pause and the figures are approximate (±10 %).
 */
function describePg(before: Awaited<ReturnType<typeof pgCounters>>, after: Awaited<ReturnType<typeof pgCounters>>, seconds: number, answers: number): string {
  if (!before || !after) return "";
  const xact = (after.xact - before.xact) / seconds;
  const syncs = (after.walSync - before.walSync) / seconds;
  return (
    `\n${"".padEnd(24)} postgres ≈ ${Math.round(xact)} transactions/s, ${Math.round(syncs)} WAL flushes/s, ` +
    `${Math.round((after.walBytes - before.walBytes) / seconds / 1024)} KiB WAL/s; ≈ ${(answers / seconds / Math.max(1, syncs)).toFixed(1)} decisions per WAL flush`
  );
}

/** Histograms of the worker's /metrics, by series (`name{labels}` without `le`): cumulative counts by bucket bound, and the sum. */
type Histograms = Map<string, { buckets: [string, number][]; sum: number }>;

async function scrapeHistograms(port: number): Promise<Histograms | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const series: Histograms = new Map();
    const of = (key: string) => series.get(key) ?? series.set(key, { buckets: [], sum: 0 }).get(key)!;
    for (const [, name, labels, le, count] of text.matchAll(/^(\w+)_bucket\{(.*?),?le="([^"]+)"\} (\S+)$/gm)) of(`${name}{${labels}}`).buckets.push([le!, Number(count)]);
    for (const [, name, labels, sum] of text.matchAll(/^(\w+)_sum(?:\{(.*)\})? (\S+)$/gm)) of(`${name}{${labels ?? ""}}`).sum = Number(sum);
    return series;
  } catch {
    return null;
  }
}

/**
 * What one histogram series did over a phase, from two scrapes: how often per second, p50 and p99
 * to a bucket's bound, and (`withTotal`) the time it took per second. Null when nothing happened.
 */
function seriesOverPhase(before: Histograms | null, after: Histograms | null, key: string, seconds: number, withTotal = false): string | null {
  const first = before?.get(key);
  const last = after?.get(key);
  if (!first || !last) return null;
  const counts = last.buckets.map(([le, count], index) => [le, count - first.buckets[index]![1]] as const);
  const total = counts.at(-1)![1];
  if (total === 0) return null;
  const bound = (fraction: number) => {
    const le = counts.find(([, count]) => count >= total * fraction)![0];
    return le === "+Inf" ? "over the top bucket" : `≤ ${Number(le) * 1000} ms`;
  };
  const time = withTotal ? `, ${(((last.sum - first.sum) / seconds) * 1000).toFixed(1)} ms/s in all` : "";
  return `≈ ${(total / seconds).toFixed(total / seconds < 10 ? 1 : 0)}/s, p50 ${bound(0.5)}, p99 ${bound(0.99)}${time}`;
}

/**
 * A worker phase as its /metrics saw it: the durable journal writes (every allow's answer waited
 * for one) and the garbage-collection pauses (each stops every request in flight).
 */
function describeWorkerPhase(before: Histograms | null, after: Histograms | null, seconds: number): string {
  const lead = `\n${"".padEnd(24)} `;
  const writes = seriesOverPhase(before, after, 'tollgate_journal_write_seconds{journal="holds"}', seconds);
  const pauses = ["minor", "major"].flatMap((kind) => {
    const line = seriesOverPhase(before, after, `tollgate_gc_pause_seconds{kind="${kind}"}`, seconds, true);
    return line === null ? [] : [`${kind} ${line}`];
  });
  return (
    (writes === null ? "" : `${lead}journal writes (holds) ${writes} (from the worker's /metrics)`) +
    (pauses.length === 0 ? "" : `${lead}GC pauses: ${pauses.join("; ")}`)
  );
}

const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "n/a");
function describe(label: string, s: Summary, cpu: string): string {
  const errors =
    s.errors === 0
      ? "errors 0"
      : `ERRORS ${s.errors} (${Object.entries(s.errorsByStatus)
          .map(([status, n]) => `${status}: ${n}`)
          .join(", ")})`;
  const outcomes = Object.entries(s.outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(", ");
  return (
    `${label.padEnd(24)} n=${s.count} achieved ${s.achievedRps}/s  p50 ${fmt(s.p50Ms)}  p90 ${fmt(s.p90Ms)}  p99 ${fmt(s.p99Ms)}  ` +
    `p99.9 ${fmt(s.p999Ms)}  max ${fmt(s.maxMs)} ms  ${errors}\n` +
    `${"".padEnd(24)} service (from write) p50 ${fmt(s.serviceP50Ms)} p99 ${fmt(s.serviceP99Ms)} ms; send lag p99 ${fmt(s.lagP99Ms)} max ${fmt(s.lagMaxMs)} ms; ${cpu}` +
    (outcomes ? `\n${"".padEnd(24)} answers: ${outcomes}` : "") +
    (s.unanswered > 0 ? `\n${"".padEnd(24)} ${s.unanswered} requests unanswered at the cut-off count at their wait so far: the percentiles are lower bounds` : "")
  );
}

async function main(): Promise<void> {
  const began = Date.now();
  const admin = await openDatabase({ url: `${SERVER_URL}/postgres`, maxConnections: 1 });
  let bench: Database | null = null;
  let failed = false;
  const finalLines: string[] = [];
  try {
    await admin.db.execute(sql.raw(`drop database if exists ${DATABASE} with (force)`));
    await admin.db.execute(sql.raw(`create database ${DATABASE}`));
    const benchUrl = `${SERVER_URL}/${DATABASE}`;
    bench = await openDatabase({ url: benchUrl, maxConnections: 4 });
    await migrate(bench);
    const seeded = await seedOrganization(bench.db, new Date(), AGENT_COUNT);
    say(`setup: database ${DATABASE}, ${seeded.keys.length} agents with a key each, snapshot v${seeded.snapshotVersion}, ${((Date.now() - began) / 1000).toFixed(1)} s`);

    const floor = start("floor", floorPath, {}, (line) => /^listening (\d+)$/.exec(line)?.[1] ?? null);
    const journalDir = JOURNAL ? mkdtempSync(join(tmpdir(), "tollgate-bench-journal-")) : null;
    if (journalDir) cleanups.push(() => rmSync(journalDir, { recursive: true, force: true }));
    const workerEnv = {
      DATABASE_URL: WORKER_URL_QUERY ? `${benchUrl}?${WORKER_URL_QUERY}` : benchUrl,
      WORKER_PORT: "0",
      WORKER_ID: `bench-${runId}`,
      ...(journalDir ? { WORKER_JOURNAL_DIR: journalDir } : {}),
    };
    const worker = start("worker", mainPath, workerEnv, (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        return entry.msg === "worker started" && entry.url ? entry.url : null;
      } catch {
        return null;
      }
    }, WORKER_NODE_ARGS);
    const floorPort = Number(await floor.found);
    const workerUrl = await worker.found;
    const workerPort = Number(new URL(workerUrl).port);
    for (let tries = 0; ; tries++) {
      const health = (await (await fetch(`${workerUrl}/healthz`)).json()) as { snapshots?: Record<string, number> };
      if (health.snapshots?.[seeded.organizationId] === seeded.snapshotVersion) break;
      if (tries > 100) throw new Error(`the worker does not serve snapshot v${seeded.snapshotVersion}: ${JSON.stringify(health)}`);
      await sleep(100);
    }
    if (WORKER_URL_QUERY) say(`worker DATABASE_URL options: ${WORKER_URL_QUERY} (NOT the default configuration)`);
    say(`worker ${workerUrl} (pid ${worker.child.pid}) serves v${seeded.snapshotVersion}; floor on port ${floorPort} (pid ${floor.child.pid}); ready after ${((Date.now() - began) / 1000).toFixed(1)} s`);
    say(
      `load: open loop ${RATES.join(" and ")}/s for ${SECONDS} s each after ${WARMUP_SECONDS} s warm-up over ${CONNECTIONS} keep-alive connections; ` +
        `closed loop ${CONCURRENCY} in flight for ${MAX_SECONDS} s; latency in ms from each request's due time`,
    );

    const next = requestMix(seeded.keys, runId, 42);
    const targets = [
      { name: "floor", port: floorPort, pid: floor.child.pid, readBody: false },
      { name: "worker", port: workerPort, pid: worker.child.pid, readBody: true },
    ];
    const results: Record<string, Summary> = {};
    let workerOk = 0;
    let workerUnanswered = 0;

    for (const rate of RATES) {
      for (const target of targets) {
        const pool = await Pool.open(target.port, CONNECTIONS, target.readBody);
        try {
          const warm = Array.from({ length: Math.round(rate * WARMUP_SECONDS) }, next);
          const warmed = await openLoop(pool, warm, rate, { spinBelowMs: SPIN_MS, napMs: NAP_MS, drainMs: DRAIN_MS });
          if (target.name === "worker") {
            const warmSummary = summarize(warmed);
            workerOk += warmSummary.ok;
            workerUnanswered += warmSummary.unanswered;
          }
          const measured = Array.from({ length: Math.round(rate * SECONDS) }, next);
          await sleep(target.name === "worker" ? 1_100 : 300);
          const pgBefore = target.name === "worker" ? await pgCounters(bench) : null;
          const histogramsBefore = target.name === "worker" ? await scrapeHistograms(target.port) : null;
          const t0 = nowNs();
          const { result, cpu } = await withCpu(target.pid, () => openLoop(pool, measured, rate, { spinBelowMs: SPIN_MS, napMs: NAP_MS, drainMs: DRAIN_MS }));
          const seconds = (nowNs() - t0) / 1e9;
          const summary = summarize(result);
          if (target.name === "worker") {
            workerOk += summary.ok;
            workerUnanswered += summary.unanswered;
          }
          results[`${target.name}@${rate}`] = summary;
          if (target.name === "worker") await sleep(1_100);
          const metrics = target.name === "worker" ? describeWorkerPhase(histogramsBefore, await scrapeHistograms(target.port), seconds) : "";
          say(describe(`${target.name} ${rate}/s`, summary, cpu) + describePg(pgBefore, target.name === "worker" ? await pgCounters(bench) : null, seconds, summary.ok) + metrics);
        } finally {
          pool.close();
        }
        await sleep(500);
      }
    }

    for (const target of targets) {
      const pool = await Pool.open(target.port, CONCURRENCY, target.readBody);
      try {
        const warmed = await closedLoop(pool, next, CONCURRENCY, MAX_WARMUP_SECONDS * 1_000);
        if (target.name === "worker") workerOk += summarize(warmed).ok;
        const pgBefore = target.name === "worker" ? await pgCounters(bench) : null;
        const t0 = nowNs();
        const { result, cpu } = await withCpu(target.pid, () => closedLoop(pool, next, CONCURRENCY, MAX_SECONDS * 1_000));
        const seconds = (nowNs() - t0) / 1e9;
        const summary = summarize(result);
        if (target.name === "worker") workerOk += summary.ok;
        summary.achievedRps = Math.round(result.completedInWindow / MAX_SECONDS);
        results[`${target.name}@max`] = summary;
        if (target.name === "worker") await sleep(1_100);
        say(
          describe(`${target.name} max (${CONCURRENCY} in flight)`, summary, cpu) +
            describePg(pgBefore, target.name === "worker" ? await pgCounters(bench) : null, seconds, summary.ok),
        );
      } finally {
        pool.close();
      }
      await sleep(500);
    }

    // Where the worker's time went: decisions.latency_us is measured inside the worker from the
    // start of the decision to just before the decision-log write (so it includes the budget
    // hold but not the log's group commit or HTTP).
    await stop(worker.child);
    const [logged] = (await bench.db.execute(sql`select count(*)::int as n from decisions`)) as unknown as { n: number }[];
    const inside = (await bench.db.execute(sql`
      select outcome, count(*)::int as n,
        round((percentile_cont(0.5) within group (order by latency_us))::numeric / 1000, 3) as p50,
        round((percentile_cont(0.99) within group (order by latency_us))::numeric / 1000, 3) as p99
      from decisions group by outcome order by n desc`)) as unknown as { outcome: string; n: number; p50: string; p99: string }[];
    say(
      `worker log: ${logged?.n ?? 0} decisions in the table for ${workerOk} 2xx answers received (warm-ups included` +
        `${workerUnanswered > 0 ? `; ${workerUnanswered} requests cut off unanswered may have been decided and logged too` : ""}); ` +
        `time inside the worker before the log write (evaluate + budget hold), ms: ` +
        inside.map((row) => `${row.outcome} n=${row.n} p50 ${row.p50} p99 ${row.p99}`).join("; "),
    );
    const errorLines = worker.logLines.filter((line) => line.includes('"level":"error"') || line.includes('"level":"warn"'));
    if (errorLines.length > 0) say(`worker logged ${errorLines.length} warn/error lines, first: ${errorLines[0]}`);

    const errors = Object.values(results).reduce((sum, s) => sum + s.errors, 0);
    if (errors > 0) say(`THIS RUN HAD ${errors} FAILED REQUESTS (non-2xx or no answer); the figures above include them.`);
    const at = (rate: number) => ({
      rate,
      p50_ms: results[`worker@${rate}`]?.p50Ms ?? null,
      p99_ms: results[`worker@${rate}`]?.p99Ms ?? null,
      p999_ms: results[`worker@${rate}`]?.p999Ms ?? null,
      floor_p99_ms: results[`floor@${rate}`]?.p99Ms ?? null,
    });
    const maxima = { max_rps: results["worker@max"]?.achievedRps ?? null, floor_max_rps: results["floor@max"]?.achievedRps ?? null };
    const headline = at(RATES[0]!);
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? (a / b).toFixed(2) : "n/a");
    say(
      `targets: p99 ${headline.p99_ms} ms at ${headline.rate}/s (≤ 1.5), ${ratio(headline.p99_ms, headline.floor_p99_ms)}× the floor's p99 (≤ 2), ` +
        `max throughput ${ratio(maxima.max_rps, maxima.floor_max_rps)} of the floor's (≥ 0.6); run took ${((Date.now() - began) / 1000).toFixed(0)} s`,
    );
    // Printed after the cleanup, so nothing the children write while stopping comes after them.
    for (const rate of RATES.slice(1)) finalLines.push(JSON.stringify(at(rate)));
    finalLines.push(JSON.stringify({ ...headline, ...maxima }));
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    await Promise.all(children.map((child) => stop(child)));
    for (const cleanup of cleanups) cleanup();
    await bench?.close();
    await admin.db.execute(sql.raw(`drop database if exists ${DATABASE} with (force)`)).catch((error: unknown) => console.error(error));
    await admin.close();
  }
  for (const line of finalLines) say(line);
  process.exit(failed ? 1 : 0);
}

const deadline = setTimeout(() => {
  console.error(`bench:worker: over ${DEADLINE_MS / 1000} s, stopping`);
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();
await main();
