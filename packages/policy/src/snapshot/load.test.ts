import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compileSnapshot } from "../compile/compile";
import { agent, delegation, options, organization, policy, shuffleKeys, SIGNING_KEY, TRUSTED_KEYS } from "../testing/fixtures";
import { loadSnapshot } from "./load";
import { CHAIN } from "./chain-record";
import type { SignedSnapshot } from "./schema";
import { contentHash, generateSigningKey, signHash } from "./sign";
import { verifySnapshot } from "./verify";

const state = organization({
  agents: [agent("agt_a", { tags: ["payments"] }), agent("agt_b")],
  policies: [
    policy("pol_pay", {
      selector: { tags: ["payments"] },
      grants: [{ id: "stripe", actions: ["stripe.*"] }],
      limits: [{ id: "daily", period: "day", amount: 10_000, currency: "USD" }],
      timeWindows: [{ id: "office", days: ["mon", "tue"], from: "09:00", to: "17:00" }],
    }),
  ],
  delegations: [delegation("del_1", "agt_a", "agt_b", { scope: { actions: ["stripe.charges.*"] }, budget: { amount: 5_000, currency: "USD" } })],
  trustScores: { agt_a: 700 },
});

function compiled(): SignedSnapshot {
  const result = compileSnapshot(state, options());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.snapshot;
}

/** Every path to a leaf (string, number, boolean, null) of a JSON value. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [path];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return entries.flatMap(([key, item]) => leafPaths(item, [...path, key]));
}

function changeLeaf(value: unknown, path: (string | number)[]): void {
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, value as Record<string, unknown>);
  const key = path[path.length - 1]!;
  const leaf = parent[key];
  parent[key] = typeof leaf === "number" ? leaf + 1 : typeof leaf === "string" ? `${leaf}x` : typeof leaf === "boolean" ? !leaf : 0;
}

describe("loadSnapshot", () => {
  test("loads a snapshot shipped as JSON text and indexes it", () => {
    const loaded = loadSnapshot(JSON.stringify(compiled()), TRUSTED_KEYS);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const { snapshot } = loaded;
    expect(snapshot.version).toBe(1);
    expect(snapshot.signingKeyId).toBe(SIGNING_KEY.keyId);
    expect([...snapshot.agents.keys()]).toEqual(["agt_a", "agt_b"]);
    expect(snapshot.cells[snapshot.delegatedChains.get("del_1")! + CHAIN.ids]).toEqual({ agents: ["agt_a", "agt_b"], delegations: ["del_1"] });
    expect(snapshot.keys.size).toBe(2);
  });

  test("refuses a snapshot signed by a key the worker does not trust", () => {
    const loaded = loadSnapshot(compiled(), { "ed25519:someone-else": SIGNING_KEY.publicKey });
    expect(loaded).toMatchObject({ ok: false, error: { code: "unknown_signing_key" } });
  });

  test("accepts a snapshot from a rotated key once that key is trusted", () => {
    const next = generateSigningKey(new Uint8Array(32).fill(9));
    const result = compileSnapshot(state, options({ signingKey: { keyId: next.keyId, privateKey: next.privateKey } }));
    if (!result.ok) throw new Error("compile failed");
    expect(loadSnapshot(result.snapshot, TRUSTED_KEYS).ok).toBe(false);
    expect(loadSnapshot(result.snapshot, { ...TRUSTED_KEYS, [next.keyId]: next.publicKey }).ok).toBe(true);
  });

  test("refuses a body that no longer matches its hash", () => {
    const snapshot = compiled();
    snapshot.body.agents["agt_b"]!.status = "active";
    snapshot.body.agents["agt_a"]!.status = "suspended";
    expect(loadSnapshot(snapshot, TRUSTED_KEYS)).toMatchObject({ ok: false, error: { code: "hash_mismatch" } });
  });

  test("refuses a rehashed body whose signature is not the key's", () => {
    const snapshot = compiled();
    snapshot.body.version = 99;
    snapshot.hash = contentHash(snapshot.body);
    expect(loadSnapshot(snapshot, TRUSTED_KEYS)).toMatchObject({ ok: false, error: { code: "bad_signature" } });
  });

  test("refuses text that is not JSON and JSON that is not a snapshot", () => {
    expect(loadSnapshot("{", TRUSTED_KEYS)).toMatchObject({ ok: false, error: { code: "malformed" } });
    expect(loadSnapshot({ hello: "world" }, TRUSTED_KEYS)).toMatchObject({ ok: false, error: { code: "malformed" } });
  });

  test("refuses a signed body of a layout it does not know", () => {
    const snapshot = compiled() as unknown as { body: Record<string, unknown>; hash: string; signature: string };
    snapshot.body.format = "tollgate.snapshot/2";
    snapshot.hash = contentHash(snapshot.body);
    snapshot.signature = signHash(snapshot.hash, SIGNING_KEY.privateKey);
    const loaded = loadSnapshot(snapshot, TRUSTED_KEYS);
    expect(loaded).toMatchObject({ ok: false, error: { code: "malformed" } });
    expect(!loaded.ok && loaded.error.message).toContain("body.format");
  });

  test("refuses a signed body whose references point nowhere", () => {
    const snapshot = compiled();
    snapshot.body.agents["agt_b"]!.profile = 42;
    snapshot.hash = contentHash(snapshot.body);
    snapshot.signature = signHash(snapshot.hash, SIGNING_KEY.privateKey);
    expect(loadSnapshot(snapshot, TRUSTED_KEYS)).toMatchObject({ ok: false, error: { code: "malformed", message: "agents.agt_b refers to profile 42, which does not exist" } });
  });
});

describe("snapshot integrity", () => {
  const original = compiled();
  const paths = leafPaths(original);

  test("invariant: the content hash is stable under key order", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(contentHash(shuffleKeys(original.body, seed))).toBe(original.hash);
      }),
      { numRuns: 50 },
    );
  });

  test("invariant: any change to the body changes the content hash", () => {
    const bodyPaths = paths.filter((path) => path[0] === "body").map((path) => path.slice(1));
    fc.assert(
      fc.property(fc.constantFrom(...bodyPaths), (path) => {
        const body = structuredClone(original.body);
        changeLeaf(body, path);
        expect(contentHash(body)).not.toBe(original.hash);
      }),
      { numRuns: 200 },
    );
  });

  test("invariant: a tampered snapshot fails verification", () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), (path) => {
        const tampered = structuredClone(original);
        changeLeaf(tampered, path);
        expect(verifySnapshot(tampered, TRUSTED_KEYS).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
