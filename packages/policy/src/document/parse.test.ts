import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parsePolicyDocument } from "./parse";

// Two policies in YAML, with comments and an anchor, as admins write them.
const demo = `
policies:
  - name: payments
    selector: { tags: [payments] }
    grants:
      - id: stripe-api
        actions: ["stripe.*"]
    limits:
      - &daily
        id: daily-spend
        period: day
        amount: 500000 # $5,000.00
        currency: USD
  - name: payments-strict
    mode: shadow
    selector: { tags: [payments] }
    caps:
      - id: max-charge-500
        amount: 50000
        currency: USD
`;

function errorsOf(input: unknown) {
  const result = parsePolicyDocument(input);
  if (result.ok) throw new Error("expected errors");
  return result.errors.map(({ path, message }) => `${path}: ${message}`);
}

describe("parsePolicyDocument", () => {
  test("a YAML policy set parses, with modes defaulted and kept", () => {
    const result = parsePolicyDocument(demo);
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
    expect(result.document.policies.map((policy) => [policy.name, policy.mode])).toEqual([
      ["payments", "enforce"],
      ["payments-strict", "shadow"],
    ]);
    expect(result.document.policies[0]!.limits[0]!.amount).toBe(500_000);
  });

  test("a lone policy in JSON becomes a document of one, with defaults filled in", () => {
    const result = parsePolicyDocument(JSON.stringify({ name: "search", selector: { tags: ["research"] }, grants: [{ id: "serp", actions: ["serpapi.*"] }] }));
    expect(result).toEqual({
      ok: true,
      document: {
        policies: [
          {
            name: "search",
            mode: "enforce",
            selector: { tags: ["research"] },
            grants: [{ id: "serp", actions: ["serpapi.*"] }],
            denies: [],
            caps: [],
            limits: [],
            approvals: [],
            velocity: [],
            loops: [],
            timeWindows: [],
            anomalies: [],
          },
        ],
      },
    });
  });

  test("a parsed document validates again unchanged, so stored documents can be re-checked", () => {
    const first = parsePolicyDocument(demo);
    if (!first.ok) throw new Error("demo must parse");
    expect(parsePolicyDocument(first.document)).toEqual(first);
  });

  test("errors name the path and the problem", () => {
    const yaml = `
policies:
  - name: payments
    selector: { tags: [payments] }
  - name: research
    selector: { all: true }
  - name: ops
    selector: {}
    limits:
      - id: daily
        period: fortnight
        amount: 12.5
        currency: usd
    approvals:
      - id: big
        when: sometimes
    timeWindows:
      - id: office
        days: [mon, funday]
        from: "09:00"
        to: "25:00"
    grants:
      - id: daily
        actions: ["stripe charges"]
    limts: []
`;
    expect(errorsOf(yaml)).toEqual([
      "policies[2].selector: must name agents, tags, or `all: true`",
      'policies[2].grants[0].actions[0]: must be an action pattern such as stripe.charges.create, stripe.* or *',
      'policies[2].limits[0].period: must be one of "session", "day", "week", "month", "all_time"',
      "policies[2].limits[0].amount: must be a positive integer in minor units",
      "policies[2].limits[0].currency: must be an ISO 4217 currency code such as USD",
      'policies[2].approvals[0].when: must be one of "amount_over", "trust_below", "first_merchant"',
      'policies[2].timeWindows[0].days[1]: must be one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"',
      "policies[2].timeWindows[0].to: must be a time HH:MM from 00:00 to 24:00",
      "policies[2].limts: is not a known field",
    ]);
  });

  test("anomaly rules name their problems too", () => {
    const policy = { name: "a", selector: { all: true }, anomalies: [{ id: "far", deviations: 1, minSamples: 2.5, respond: "shrug" }] };
    expect(errorsOf({ policies: [policy] })).toEqual([
      "policies[0].anomalies[0].deviations: must be a number of deviations from 2 to 100",
      "policies[0].anomalies[0].minSamples: must be a whole number from 5 to 100000",
      'policies[0].anomalies[0].respond: must be one of "approval", "deny"',
    ]);
  });

  test("rule ids must be unique within a policy", () => {
    const policy = { name: "a", selector: { all: true }, grants: [{ id: "x", actions: ["*"] }], denies: [{ id: "x", actions: ["b.*"] }] };
    expect(errorsOf({ policies: [policy] })).toEqual(["policies[0].denies[0].id: duplicates the id of grants[0]"]);
  });

  test("policy names must be unique within a document", () => {
    const policies = [{ name: "a", selector: { all: true } }, { name: "a", selector: { tags: ["x"] } }];
    expect(errorsOf({ policies })).toEqual(["policies[1].name: duplicates the name of policies[0]"]);
  });

  test("YAML syntax errors give the line and column", () => {
    expect(errorsOf("policies:\n  - name: [unclosed\n")[0]).toMatch(/^line \d+, column \d+: /);
  });

  test("several YAML documents in one text are refused with a way out", () => {
    expect(errorsOf("name: a\n---\nname: b\n")).toContain("(document): must be a single YAML document; list several policies under `policies:`");
  });

  test("a value that is no policy at all is named as such", () => {
    expect(errorsOf("42")).toEqual(["(document): must be a policy or an object with a `policies` list"]);
    expect(errorsOf([])).toEqual(["(document): must be a policy or an object with a `policies` list"]);
  });

  test("invariant: garbage text never throws and every error has a path and a message", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string().map((text) => `policies:\n  - ${text}`)), (text) => {
        const result = parsePolicyDocument(text);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
        }
      }),
      { numRuns: 300 },
    );
  });

  test("invariant: garbage values never throw and every error has a path and a message", () => {
    const policyish = fc.record(
      { name: fc.anything({ maxDepth: 1 }), selector: fc.anything({ maxDepth: 2 }), grants: fc.anything({ maxDepth: 2 }), limits: fc.array(fc.dictionary(fc.constantFrom("id", "amount", "period", "currency"), fc.anything({ maxDepth: 1 }))) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything({ maxDepth: 3 }), policyish, fc.record({ policies: fc.array(policyish) })), (value) => {
        const result = parsePolicyDocument(value);
        if (!result.ok) for (const error of result.errors) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 300 },
    );
  });
});
