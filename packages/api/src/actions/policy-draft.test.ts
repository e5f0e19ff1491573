import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseDraft } from "./policy-draft";
import { canonicalYaml } from "./policy-diff";

describe("parsing a draft of one policy", () => {
  it("property: never throws, and every refusal names a path and a problem", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json()), (text) => {
        const parsed = parseDraft(text);
        if (!parsed.ok) for (const error of parsed.errors) expect(error.path.length > 0 && error.message.length > 0).toBe(true);
      }),
    );
  });

  it("takes a lone policy or a list of exactly one, and refuses a list of two at `policies`", () => {
    const one = { name: "a", selector: { all: true } };
    expect(parseDraft(JSON.stringify(one))).toMatchObject({ ok: true, policy: { name: "a", mode: "enforce" } });
    expect(parseDraft(JSON.stringify({ policies: [one] }))).toMatchObject({ ok: true, policy: { name: "a" } });
    expect(parseDraft(JSON.stringify({ policies: [one, { ...one, name: "b" }] }))).toMatchObject({ ok: false, errors: [{ path: "policies" }] });
  });
});

describe("canonical YAML", () => {
  it("property: reads back as the same value, whatever the key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parse(canonicalYaml(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("writes negative zero as 0, as JSON does", () => {
    expect(parse(canonicalYaml({ a: -0, b: [-0] }))).toEqual({ a: 0, b: [0] });
  });
});
