import { type Database } from "@tollgate/db";
import { openTestDatabase, organizationFixture, testDrivers, userFixture, withRollback } from "@tollgate/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { sessionOf } from "../testing";
import { canonicalYaml, diffLines, type DiffLine } from "./policy-diff";

const side = (lines: DiffLine[], kind: "removed" | "added") => lines.filter((line) => line.kind !== kind).map((line) => line.text);

describe("diffLines", () => {
  it("property: keeping the unchanged and removed lines gives the old text, the unchanged and added the new", () => {
    const text = fc.array(fc.constantFrom("a", "b", "c", "d", ""), { maxLength: 30 });
    fc.assert(
      fc.property(text, text, (before, after) => {
        const lines = diffLines(before, after);
        expect(side(lines, "added")).toEqual(before);
        expect(side(lines, "removed")).toEqual(after);
      }),
    );
  });

  it("property: the diff of a text with itself changes nothing", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 30 }), (lines) => {
        expect(diffLines(lines, lines).every((line) => line.kind === "same")).toBe(true);
      }),
    );
  });

  it("marks only the lines that changed", () => {
    expect(diffLines(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });
});

describe("canonicalYaml", () => {
  it("writes the same document the same way whatever its key order, leading with name, selector and ids", () => {
    const one = canonicalYaml({ grants: [{ actions: ["a.*"], id: "g" }], selector: { all: true }, name: "p" });
    const two = canonicalYaml({ name: "p", selector: { all: true }, grants: [{ id: "g", actions: ["a.*"] }] });
    expect(one).toBe(two);
    expect(one.split("\n").slice(0, 5)).toEqual(["name: p", "selector:", "  all: true", "grants:", "  - id: g"]);
  });
});

describe.each(testDrivers)("diffing policy versions on %s", (driver) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(() => database?.close());

  it("shows the lines added and removed between any two versions, however each was written", () =>
    withRollback(database.db, async (tx) => {
      const org = await organizationFixture(tx);
      const admin = await userFixture(tx, org.id);
      const caller = createCaller(createContext({ db: tx, session: sessionOf(admin) }));
      const first = await caller.policies.saveDraft({ source: "name: p\nselector: { all: true }\ngrants:\n  - { id: g, actions: [a.*] }\n" });
      await caller.policies.saveDraft({ policyId: first.policyId, source: JSON.stringify({ selector: { all: true }, name: "p", grants: [{ actions: ["b.*"], id: "g" }] }) });

      const diff = await caller.policies.diff({ policyId: first.policyId, from: 1, to: 2 });
      expect(diff.lines.filter((line) => line.kind !== "same")).toEqual([
        { kind: "removed", text: "      - a.*" },
        { kind: "added", text: "      - b.*" },
      ]);
      await expect(caller.policies.diff({ policyId: first.policyId, from: 1, to: 3 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    }));
});
