import { describe, expect, it } from "vitest";
import { createWorkerCore, type WorkerLog } from "../core";
import { createFetchHandler } from "../http/fetch";
import { Histogram } from "./histogram";
import { createWorkerMetrics, DURATION_BUCKETS, METRICS_CONTENT_TYPE } from "./metrics";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  helps: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

/** Parses text exposition format 0.0.4 strictly: every sample belongs to a family declared above it. */
function parseExposition(text: string): Exposition {
  expect(text.endsWith("\n")).toBe(true);
  const exposition: Exposition = { types: new Map(), helps: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
    if (comment) {
      (comment[1] === "HELP" ? exposition.helps : exposition.types).set(comment[2]!, comment[3]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    let rest = sample[2] ?? "";
    while (rest !== "") {
      const label = LABEL.exec(rest);
      if (!label) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      labels[label[1]!] = label[2]!;
      rest = rest.slice(label[0].length);
    }
    const name = sample[1]!;
    const family = exposition.types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(exposition.types.has(family), `TYPE line before ${name}`).toBe(true);
    expect(exposition.helps.has(family), `HELP line before ${name}`).toBe(true);
    const value = sample[3] === "+Inf" ? Infinity : sample[3] === "NaN" ? NaN : Number(sample[3]);
    expect(Number.isNaN(value) && sample[3] !== "NaN", `number in ${JSON.stringify(line)}`).toBe(false);
    exposition.samples.push({ name, labels, value });
  }
  return exposition;
}

const valueOf = (exposition: Exposition, name: string, labels: Record<string, string> = {}) =>
  exposition.samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;

/** Checks a histogram the way Prometheus reads it: cumulative buckets ending in +Inf = _count. */
function expectValidHistogram(exposition: Exposition, name: string, labels: Record<string, string> = {}) {
  expect(exposition.types.get(name)).toBe("histogram");
  const labelled = (sample: Sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
  const buckets = exposition.samples.filter((sample) => sample.name === `${name}_bucket` && labelled(sample));
  expect(buckets.map((bucket) => bucket.labels.le)).toEqual([...DURATION_BUCKETS.map(String), "+Inf"]);
  for (let index = 1; index < buckets.length; index++) expect(buckets[index]!.value).toBeGreaterThanOrEqual(buckets[index - 1]!.value);
  expect(buckets.at(-1)!.value).toBe(valueOf(exposition, `${name}_count`, labels));
  return buckets;
}

describe("worker metrics", () => {
  it("renders valid exposition format with every family declared", () => {
    const holdWrites = new Histogram(DURATION_BUCKETS);
    for (const seconds of [0.0002, 0.0004, 0.03]) holdWrites.observe(seconds);
    const scavenges = new Histogram(DURATION_BUCKETS);
    for (const seconds of [0.003, 0.004]) scavenges.observe(seconds);
    const metrics = createWorkerMetrics({
      routes: ["/healthz"],
      snapshots: () => [{ organizationId: 'org "a"\\b', version: 42, issuedAt: "2026-11-24T12:00:00Z" }],
      journals: () => [
        { journal: "holds", records: 3, writeSeconds: holdWrites },
        { journal: "decisions", records: 0, writeSeconds: new Histogram(DURATION_BUCKETS) },
      ],
      gcPauses: () => [
        { kind: "minor", seconds: scavenges },
        { kind: "major", seconds: new Histogram(DURATION_BUCKETS) },
      ],
    });
    const exposition = parseExposition(metrics.render(Date.parse("2026-11-24T12:00:30Z")));
    expect([...exposition.types]).toEqual([
      ["tollgate_decisions_total", "counter"],
      ["tollgate_decision_duration_seconds", "histogram"],
      ["tollgate_http_requests_total", "counter"],
      ["tollgate_snapshot_version", "gauge"],
      ["tollgate_snapshot_age_seconds", "gauge"],
      ["tollgate_journal_lag_records", "gauge"],
      ["tollgate_journal_write_seconds", "histogram"],
      ["tollgate_gc_pause_seconds", "histogram"],
    ]);
    expect(valueOf(exposition, "tollgate_journal_lag_records", { journal: "holds" })).toBe(3);
    expect(valueOf(exposition, "tollgate_journal_lag_records", { journal: "decisions" })).toBe(0);
    expect(valueOf(exposition, "tollgate_snapshot_version", { organization: 'org \\"a\\"\\\\b' })).toBe(42);
    expect(valueOf(exposition, "tollgate_snapshot_age_seconds")).toBe(30);
    expectValidHistogram(exposition, "tollgate_decision_duration_seconds");
    for (const journal of ["holds", "decisions"]) expectValidHistogram(exposition, "tollgate_journal_write_seconds", { journal });
    expect(valueOf(exposition, "tollgate_journal_write_seconds_bucket", { journal: "holds", le: "0.00025" })).toBe(1);
    expect(valueOf(exposition, "tollgate_journal_write_seconds_bucket", { journal: "holds", le: "0.0005" })).toBe(2);
    expect(valueOf(exposition, "tollgate_journal_write_seconds_count", { journal: "holds" })).toBe(3);
    expect(valueOf(exposition, "tollgate_journal_write_seconds_sum", { journal: "holds" })).toBeCloseTo(0.0306, 10);
    expect(valueOf(exposition, "tollgate_journal_write_seconds_count", { journal: "decisions" })).toBe(0);
    for (const kind of ["minor", "major"]) expectValidHistogram(exposition, "tollgate_gc_pause_seconds", { kind });
    expect(valueOf(exposition, "tollgate_gc_pause_seconds_bucket", { kind: "minor", le: "0.0025" })).toBe(0);
    expect(valueOf(exposition, "tollgate_gc_pause_seconds_bucket", { kind: "minor", le: "0.005" })).toBe(2);
    expect(valueOf(exposition, "tollgate_gc_pause_seconds_count", { kind: "major" })).toBe(0);
  });

  it("counts decisions by outcome and puts each duration in the first bucket that holds it", () => {
    const metrics = createWorkerMetrics({ routes: [] });
    metrics.decision("allow", 0.00008);
    metrics.decision("allow", 0.0003);
    metrics.decision("deny", 0.001);
    metrics.decision("pending", 0.2);
    metrics.observeDuration(0.004);
    const exposition = parseExposition(metrics.render(0));
    expect(valueOf(exposition, "tollgate_decisions_total", { outcome: "allow" })).toBe(2);
    expect(valueOf(exposition, "tollgate_decisions_total", { outcome: "deny" })).toBe(1);
    expect(valueOf(exposition, "tollgate_decisions_total", { outcome: "pending" })).toBe(1);
    const buckets = expectValidHistogram(exposition, "tollgate_decision_duration_seconds");
    const at = (le: string) => buckets.find((bucket) => bucket.labels.le === le)!.value;
    expect([at("0.0001"), at("0.00025"), at("0.0005"), at("0.001"), at("0.005"), at("0.1"), at("+Inf")]).toEqual([1, 1, 2, 3, 4, 4, 5]);
    expect(valueOf(exposition, "tollgate_decision_duration_seconds_sum")).toBeCloseTo(0.20538, 10);
  });

  it("refuses a route label it was not created with, so labels stay a fixed set", () => {
    const metrics = createWorkerMetrics({ routes: ["/healthz"] });
    expect(() => metrics.route("/v1/anything")).toThrow(/not one of the routes/);
  });
});

describe("metrics through the worker core", () => {
  const setup = () => {
    const lines: Parameters<WorkerLog>[] = [];
    const core = createWorkerCore({
      workerId: "w-metrics",
      version: "1.2.3",
      now: () => new Date("2026-11-24T12:01:00Z"),
      snapshots: () => [{ organizationId: "org-1", version: 7, issuedAt: "2026-11-24T12:00:00Z" }],
      log: (...line) => lines.push(line),
    });
    return { core, handler: createFetchHandler(core), lines };
  };

  const scrape = async (core: ReturnType<typeof setup>["core"]) => {
    const response = await core({ method: "GET", path: "/metrics", query: "", headers: {}, body: undefined });
    expect(response.status).toBe(200);
    expect(response.headers?.["content-type"]).toBe(METRICS_CONTENT_TYPE);
    expect(typeof response.body).toBe("string");
    return parseExposition(response.body as string);
  };

  it("counts responses by route and status, 4xx and 5xx included, after calls through the fetch adapter", async () => {
    const { core, handler } = setup();
    await handler(new Request("http://worker/healthz"));
    await handler(new Request("http://worker/healthz"));
    await handler(new Request("http://worker/healthz", { method: "POST", body: "{}" }));
    await handler(new Request("http://worker/nothing/here"));
    await handler(new Request("http://worker/v1/reservations/r-1/commit", { method: "POST", body: "{}" }));
    const exposition = await scrape(core);
    const requests = (route: string, status: string) => valueOf(exposition, "tollgate_http_requests_total", { route, status });
    expect(requests("/healthz", "200")).toBe(2);
    expect(requests("/healthz", "405")).toBe(1);
    expect(requests("unmatched", "404")).toBe(1);
    expect(requests("/v1/reservations/{id}/commit", "503")).toBe(1);
    expect(valueOf(exposition, "tollgate_snapshot_version", { organization: "org-1" })).toBe(7);
    expect(valueOf(exposition, "tollgate_snapshot_age_seconds", { organization: "org-1" })).toBe(60);
  });

  it("times the decisions route even when it refuses, without counting a decision", async () => {
    const { core, handler } = setup();
    await handler(new Request("http://worker/v1/decisions", { method: "POST", body: "{}" }));
    const exposition = await scrape(core);
    expect(valueOf(exposition, "tollgate_decision_duration_seconds_count")).toBe(1);
    expect(valueOf(exposition, "tollgate_decisions_total", { outcome: "deny" })).toBe(0);
    expectValidHistogram(exposition, "tollgate_decision_duration_seconds");
  });

  it("logs one JSON-ready line per 4xx or 5xx response and nothing for a 200", async () => {
    const { handler, lines } = setup();
    await handler(new Request("http://worker/healthz"));
    await handler(new Request("http://worker/nothing/here"));
    await handler(new Request("http://worker/v1/decisions", { method: "POST", body: "{}" }));
    expect(lines).toEqual([
      ["warn", "request refused", { route: "unmatched", status: 404, code: "not_found" }],
      ["error", "request failed", { route: "/v1/decisions", status: 503, code: "not_ready" }],
    ]);
  });

  it("reports the served snapshot versions on /healthz", async () => {
    const { handler } = setup();
    const response = await handler(new Request("http://worker/healthz"));
    expect(await response.json()).toMatchObject({ snapshots: { "org-1": 7 } });
  });
});
