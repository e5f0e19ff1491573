import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { shuffleKeys } from "../testing/fixtures";
import { canonicalJson } from "./canonical-json";

describe("canonicalJson", () => {
  test("sorts keys at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: "x" } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
  });

  test("sorts integer-like keys as text, not as numbers", () => {
    expect(canonicalJson({ b: { "10": 1, "2": 2, a: 3 }, a: [{ "1": true, "0": false }] })).toBe('{"a":[{"0":false,"1":true}],"b":{"10":1,"2":2,"a":3}}');
  });

  test("keeps a __proto__ member of parsed JSON as data", () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"b":1}');
  });

  test("drops undefined members as a JSON round trip would", () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  test("refuses what JSON cannot carry instead of guessing", () => {
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/Date/);
    expect(() => canonicalJson(Number.NaN)).toThrow(/NaN/);
    expect(() => canonicalJson(1n)).toThrow(/bigint/);
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
  });

  test("invariant: equal to itself under any key order, and parses back to the same value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("0", "1", "10", "2", "a", "b"), fc.jsonValue({ maxDepth: 2 }))), fc.integer(), (value, seed) => {
        const text = canonicalJson(value);
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
