import { parsePolicyDocument } from "@tollgate/policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { locateErrors, pathSegments } from "./source-errors";

const source = `name: payments
selector: { all: true }
grants:
  - id: charges
    actions: []
caps:
  - { id: small, amount: -5, currency: USD, colour: red }
`;

const at = (text: string, errors: ReturnType<typeof locateErrors>) => errors.map((error) => [error.line, text.slice(error.from, error.to), error.located]);

describe("placing the parser's errors in the source", () => {
  it("puts each validation error at the line and text its path names", () => {
    const parsed = parsePolicyDocument(source);
    if (parsed.ok) throw new Error("expected errors");
    const placed = locateErrors(source, parsed.errors);
    expect(new Map(parsed.errors.map((error, index) => [error.path, at(source, placed)[index]]))).toEqual(
      new Map([
        ["grants[0].actions", [5, "actions", true]],
        ["caps[0].amount", [7, "amount: -5", true]],
        ["caps[0].colour", [7, "colour: red", true]],
      ]),
    );
  });

  it("places YAML syntax errors at their line and column, and paths outside the text at the start", () => {
    const broken = "name: x\nselector: {all: true\n";
    const parsed = parsePolicyDocument(broken);
    if (parsed.ok) throw new Error("expected errors");
    expect(locateErrors(broken, parsed.errors).every((error) => error.located && error.line >= 2)).toBe(true);
    expect(locateErrors(source, [{ path: "delegations[0].scope", message: "is wider" }])).toMatchObject([{ from: 0, line: 1, located: false }]);
    expect(locateErrors(source, [{ path: "caps[0].period", message: "is required" }])).toMatchObject([{ line: 7, located: true }]);
  });

  it("reads paths as the parser writes them", () => {
    expect(pathSegments("policies[2].limits[0].amount")).toEqual(["policies", 2, "limits", 0, "amount"]);
    expect(pathSegments("(document)")).toEqual(["(document)"]);
  });

  it("property: never throws, and every range lies within the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 5 }), (text, paths) => {
        for (const error of locateErrors(text, paths.map((path) => ({ path, message: "m" })))) {
          expect(0 <= error.from && error.from <= error.to && error.to <= text.length).toBe(true);
        }
      }),
    );
  });

  it("property: every error of any text the parser rejects is placed within it", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const parsed = parsePolicyDocument(text);
        if (parsed.ok) return;
        for (const error of locateErrors(text, parsed.errors)) expect(error.to).toBeLessThanOrEqual(text.length);
      }),
    );
  });
});
