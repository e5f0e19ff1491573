import { describe, expect, it } from "vitest";
import { AGENT_NODE, layoutDelegations } from "./graph-layout";

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < AGENT_NODE.width && Math.abs(a.y - b.y) < AGENT_NODE.height;

describe("layoutDelegations", () => {
  it("lays a chain out left to right, delegator before delegate", () => {
    const positions = layoutDelegations(["a", "b", "c"], [
      { id: "ab", source: "a", target: "b" },
      { id: "bc", source: "b", target: "c" },
    ]);
    const [a, b, c] = ["a", "b", "c"].map((id) => positions.get(id)!);
    expect(a!.x).toBeLessThan(b!.x);
    expect(b!.x).toBeLessThan(c!.x);
  });

  it("places 50 agents with two delegations each (and parallel ones) without any two overlapping", () => {
    const ids = Array.from({ length: 50 }, (_, index) => `agent-${index}`);
    const edges = ids.flatMap((id, index) => [
      { id: `${id}-a`, source: ids[Math.floor(index / 3)]!, target: id },
      { id: `${id}-b`, source: ids[Math.floor(index / 3)]!, target: id },
    ]).filter((edge) => edge.source !== edge.target);
    const positions = layoutDelegations(ids, edges);
    expect(positions.size).toBe(50);
    const placed = [...positions.values()];
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i]!, placed[j]!)).toBe(false);
  });
});
