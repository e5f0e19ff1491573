import fc from "fast-check";
import { hashApiKey } from "@tollgate/policy";
import { describe, expect, it } from "vitest";
import { agentKeyPrefix, issueAgentKey } from "./agent-keys";

describe("agent keys", () => {
  it("issues keys whose stored prefix and hash match the key shown once", () => {
    const issued = issueAgentKey();
    expect(issued.key).toMatch(/^tg_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}$/);
    expect(agentKeyPrefix(issued.key)).toBe(issued.prefix);
    expect(issued.hash).toBe(hashApiKey(issued.key));
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("never issues the same key twice", () => {
    const keys = new Set(Array.from({ length: 2_000 }, () => issueAgentKey().key));
    expect(keys.size).toBe(2_000);
  });

  it("finds no prefix in text that is not shaped like a key", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const prefix = agentKeyPrefix(text);
        expect(prefix === null || text.startsWith(`${prefix}_`)).toBe(true);
      }),
    );
    expect(agentKeyPrefix("tg_short_x")).toBeNull();
  });
});
