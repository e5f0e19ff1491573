import { describe, expect, it } from "vitest";
import { createWorkerCore } from "../core";
import { watchGcPauses } from "./gc-pauses";

/** Allocates well past the young generation's size, so V8 has to scavenge at least once. */
function churn(): number {
  // Kept in a ring, so the optimizing compiler cannot prove the objects dead and skip allocating them.
  const ring: { i: number; list: number[] }[] = new Array(1024);
  for (let i = 0; i < 3_000_000; i++) ring[i & 1023] = { i, list: [i, i + 1] };
  return ring.length;
}

/** V8 reports pauses on a later turn of the event loop: polls until `done`, at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

const countOf = (text: string, kind: string) => Number(new RegExp(`^tollgate_gc_pause_seconds_count\\{kind="${kind}"\\} (\\S+)$`, "m").exec(text)?.[1]);

describe("garbage-collection pauses", () => {
  it("are counted by kind and reach /metrics through the worker core", async () => {
    const gc = watchGcPauses();
    try {
      const core = createWorkerCore({ workerId: "w-gc", version: "1.0.0", now: () => new Date(), gcPauses: () => gc.pauses });
      churn();
      const minor = gc.pauses.find((pause) => pause.kind === "minor")!.seconds;
      await until(() => minor.count > 0);
      const response = await core({ method: "GET", path: "/metrics", query: "", headers: {}, body: undefined });
      const text = response.body as string;
      expect(countOf(text, "minor")).toBeGreaterThan(0);
      expect(Number(/^tollgate_gc_pause_seconds_sum\{kind="minor"\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
      for (const kind of ["major", "incremental", "weak_callbacks"]) expect(countOf(text, kind)).toBeGreaterThanOrEqual(0);
    } finally {
      gc.stop();
    }
  });

  it("counts nothing once stopped", async () => {
    const gc = watchGcPauses();
    gc.stop();
    churn();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const { seconds } of gc.pauses) expect(seconds.count).toBe(0);
  });
});
