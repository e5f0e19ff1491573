import { parsePolicyDocument } from "@tollgate/policy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVELOPE_PERIODS, readCommonRules, writeCommonRules, type CommonRules } from "./common-rules";

const written = `# Payments for the checkout agents
name: payments
selector: { tags: [checkout] }
grants:
  - id: charges
    actions: [stripe.charges.create]
    merchants: [acme] # only acme
denies:
  - { id: no-refunds, actions: [stripe.refunds.*] }
`;

const amount = fc.record({ amount: fc.integer({ min: 1, max: 10_000_000 }), currency: fc.constantFrom("USD", "EUR", "JPY") });
const rules: fc.Arbitrary<CommonRules> = fc.record({
  grantActions: fc.array(fc.constantFrom("stripe.*", "search.web", "github.issues.create", "*"), { maxLength: 3 }),
  cap: fc.option(amount, { nil: null }),
  envelope: fc.option(fc.record({ amount: amount.map((value) => value.amount), currency: fc.constantFrom("USD", "EUR"), period: fc.constantFrom(...ENVELOPE_PERIODS) }), { nil: null }),
  approvalOver: fc.option(amount, { nil: null }),
});

describe("the common-rules form", () => {
  it("reads the first grant, cap, envelope and amount threshold of a policy", () => {
    expect(readCommonRules(written)).toEqual({ grantActions: ["stripe.charges.create"], cap: null, envelope: null, approvalOver: null });
    expect(readCommonRules("policies:\n  - name: p\n    caps: [{ id: c, amount: 500, currency: EUR }]\n")).toMatchObject({ cap: { amount: 500, currency: "EUR" } });
    expect(readCommonRules("name: [unclosed")).toBeNull();
  });

  it("property: what it writes it reads back, the result still validates, and the rest stays as written", () => {
    fc.assert(
      fc.property(rules, (form) => {
        const source = writeCommonRules(written, form);
        const expected = { ...form, grantActions: form.grantActions.length > 0 ? form.grantActions : [] };
        expect(readCommonRules(source)).toEqual(expected);
        expect(source).toContain("# Payments for the checkout agents");
        expect(source).toContain("no-refunds");
        const parsed = parsePolicyDocument(source);
        // Removing the only grant leaves a policy of denies only, which is valid too.
        expect(parsed.ok ? [] : parsed.errors).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("keeps a grant's other fields when it edits the grant's actions", () => {
    const source = writeCommonRules(written, { grantActions: ["stripe.*"], cap: { amount: 5_000, currency: "USD" }, envelope: null, approvalOver: null });
    expect(source).toContain("merchants: [ acme ] # only acme");
    expect(parsePolicyDocument(source)).toMatchObject({ ok: true, document: { policies: [{ grants: [{ id: "charges", actions: ["stripe.*"], merchants: ["acme"] }], caps: [{ id: "per-call", amount: 5_000 }] }] } });
  });
});
