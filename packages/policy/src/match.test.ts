import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Matchers, Pattern, patternCovers, patternsCover } from "./match";

describe("Pattern", () => {
  test.each([
    ["*", "anything.at.all", true],
    ["stripe.charges.create", "stripe.charges.create", true],
    ["stripe.charges.create", "stripe.charges.capture", false],
    ["stripe.*", "stripe.charges.create", true],
    ["stripe.*", "stripe", false],
    ["stripe.*", "openai.chat", false],
    ["*.refunds.*", "stripe.refunds.create", true],
    ["*.refunds.*", "stripe.refundsx.create", false],
    ["*.create", "stripe.charges.create", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["ab*ab", "ab", false],
    ["ab*ab", "abab", true],
  ])("%s matches %s: %s", (pattern, value, expected) => {
    expect(new Pattern(pattern).test(value)).toBe(expected);
  });

  test("a list matches when any pattern does", () => {
    const matcher = new Matchers().of(["openai.*", "anthropic.*"]);
    expect(matcher.test("anthropic.messages")).toBe(true);
    expect(matcher.test("serpapi.search")).toBe(false);
  });

  test("the same list compiles to one shared matcher", () => {
    const matchers = new Matchers();
    expect(matchers.of(["stripe.*"])).toBe(matchers.of(["stripe.*"]));
    expect(matchers.of(["a.*", "b.*"])).toBe(matchers.of(["a.*", "b.*"]));
    expect(matchers.of(["a.*", "b.*"])).not.toBe(matchers.of(["b.*", "a.*"]));
  });
});

// Patterns over a tiny alphabet so that random values often match.
const patternArb = fc.stringMatching(/^[ab.*]{1,6}$/);
const valueArb = fc.stringMatching(/^[ab.]{0,8}$/);

describe("patternCovers", () => {
  test("wider patterns cover narrower ones and not the reverse", () => {
    expect(patternCovers("*", "stripe.*")).toBe(true);
    expect(patternCovers("stripe.*", "stripe.charges.*")).toBe(true);
    expect(patternCovers("stripe.*", "stripe.charges.create")).toBe(true);
    expect(patternCovers("stripe.charges.*", "stripe.*")).toBe(false);
    expect(patternCovers("stripe.charges.create", "stripe.charges.*")).toBe(false);
    expect(patternCovers("*.refunds.*", "stripe.refunds.*")).toBe(true);
    expect(patternsCover(["openai.*", "anthropic.*"], ["openai.chat", "anthropic.*"])).toBe(true);
    expect(patternsCover(["openai.*"], ["openai.chat", "anthropic.*"])).toBe(false);
  });

  test("invariant: when outer covers inner, every value inner matches, outer matches", () => {
    fc.assert(
      fc.property(patternArb, patternArb, valueArb, (outer, inner, value) => {
        if (patternCovers(outer, inner) && new Pattern(inner).test(value)) expect(new Pattern(outer).test(value)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("invariant: a pattern without wildcards is covered exactly by the patterns that match it", () => {
    fc.assert(
      fc.property(patternArb, valueArb.filter((value) => value.length > 0), (outer, value) => {
        expect(patternCovers(outer, value)).toBe(new Pattern(outer).test(value));
      }),
      { numRuns: 2000 },
    );
  });
});
