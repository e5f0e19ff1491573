import { describe, expect, test } from "vitest";
import { hashApiKey } from "../snapshot/sign";
import { agent, load, NOW, organization } from "../testing/fixtures";
import { findKeyByHash } from "./authenticate";

const key = (id: string, overrides: { expiresAt?: string | null; revokedAt?: string | null } = {}) => ({
  id,
  prefix: "tg_live_",
  hash: hashApiKey(`secret-${id}`),
  expiresAt: null,
  revokedAt: null,
  ...overrides,
});

const snapshot = load(
  organization({
    agents: [
      agent("agt_a", { keys: [key("key_ok"), key("key_old", { expiresAt: "2026-11-01T00:00:00Z" }), key("key_leaked", { revokedAt: "2026-11-20T00:00:00Z" })] }),
      agent("agt_off", { status: "suspended", keys: [key("key_off")] }),
    ],
  }),
);

describe("findKeyByHash", () => {
  test("finds a live key and its agent by the key's hash", () => {
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_ok"), NOW)).toMatchObject({ ok: true, key: { keyId: "key_ok", agentId: "agt_a", prefix: "tg_live_" } });
  });

  test("refuses unknown, expired and revoked keys, each with its own code", () => {
    expect(findKeyByHash(snapshot, hashApiKey("guess"), NOW)).toMatchObject({ ok: false, code: "key_unknown" });
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_old"), NOW)).toMatchObject({ ok: false, code: "key_expired" });
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_leaked"), NOW)).toMatchObject({ ok: false, code: "key_revoked" });
  });

  test("a key expires at its expiry instant, not after", () => {
    const expiry = new Date("2026-11-01T00:00:00Z");
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_old"), new Date(expiry.getTime() - 1)).ok).toBe(true);
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_old"), expiry).ok).toBe(false);
  });

  test("leaves a suspended agent's key to evaluate, which denies the agent", () => {
    expect(findKeyByHash(snapshot, hashApiKey("secret-key_off"), NOW).ok).toBe(true);
  });
});
