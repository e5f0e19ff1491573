import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { openJournal, readSegment, type JournalOptions } from "./journal";

type Item = { n: number; text: string };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-journal-"));
  dirs.push(dir);
  return dir;
};

const codec = { encode: (item: Item) => JSON.stringify(item), decode: (line: string) => JSON.parse(line) as Item };
/** Ships into `into`, one array per batch. */
const collecting = (into: Item[][]): Pick<JournalOptions<Item>, "ship"> => ({
  ship: async (batch) => {
    into.push(batch);
  },
});
const items = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ n: from + i, text: `item ${from + i}` }));
const segments = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
/** A journal in a fresh directory that ships into `shipped`, one array per batch, but only once `release` is called. */
const heldUpJournal = async (options: Partial<JournalOptions<Item>> = {}) => {
  const dir = freshDir();
  const shipped: Item[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const ship = async (batch: Item[]) => {
    await gate;
    shipped.push(batch);
  };
  const journal = await openJournal<Item>({ dir, ...codec, ship, ...options });
  return { dir, journal, shipped, release };
};

describe("journal", () => {
  it("ships a trickle of records in one batch per interval, and at once when hurried", async () => {
    const shipped: { at: number; batch: Item[] }[] = [];
    const journal = await openJournal<Item>({ dir: freshDir(), ...codec, shipIntervalMs: 1_000, ship: async (batch) => void shipped.push({ at: Date.now(), batch }) });
    await journal.append(items(1)[0]!);
    await expect.poll(() => shipped.length).toBe(1);
    for (const item of items(3, 1)) {
      await journal.append(item);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect.poll(() => shipped.length, { timeout: 3_000 }).toBe(2);
    // The three came one by one but left together, an interval after the first shipment.
    expect(shipped[1]!.batch).toEqual(items(3, 1));
    expect(shipped[1]!.at - shipped[0]!.at).toBeGreaterThanOrEqual(990);

    const hurried = Date.now();
    await journal.append(items(1, 4)[0]!);
    journal.hurry();
    await expect.poll(() => shipped.length).toBe(3);
    // Long before the next interval.
    expect(shipped[2]!.at - hurried).toBeLessThan(500);
    await journal.close();
  });

  it("acknowledges records once they are on disk, then ships them in order and deletes what shipped", async () => {
    const { dir, journal, shipped, release } = await heldUpJournal();
    await Promise.all(items(5).map((item) => journal.append(item)));
    // Acknowledged while shipping is held up: the records are in the file.
    const onDisk = readSegment(readFileSync(join(dir, segments(dir)[0]!), "utf8"), codec.decode);
    expect(onDisk).toEqual(items(5));
    expect(shipped).toEqual([]);
    expect(journal.lag).toBe(5);

    release();
    await journal.shipped();
    expect(shipped.flat()).toEqual(items(5));
    expect(journal.lag).toBe(0);
    await journal.close();
    expect(segments(dir)).toEqual([]);
  });

  it("reports how long each durable write took: one write per group of appends", async () => {
    const writes: number[] = [];
    const journal = await openJournal<Item>({ dir: freshDir(), ...codec, ...collecting([]), onWrite: (seconds) => writes.push(seconds) });
    await Promise.all(items(5).map((item) => journal.append(item)));
    expect(writes).toHaveLength(1);
    await Promise.all(items(3, 5).map((item) => journal.append(item)));
    expect(writes).toHaveLength(2);
    for (const seconds of writes) expect(seconds).toBeGreaterThan(0);
    await journal.close();
  });

  it("writes into a segment prepared at its full size, so a write never grows the file", async () => {
    const { dir, journal, shipped, release } = await heldUpJournal({ segmentBytes: 4096 });
    for (const item of items(10)) await journal.append(item);
    const [segment] = segments(dir);
    expect(statSync(join(dir, segment!)).size).toBe(4096);
    expect(readSegment(readFileSync(join(dir, segment!), "utf8"), codec.decode)).toEqual(items(10));
    release();
    await journal.shipped();
    expect(shipped.flat()).toEqual(items(10));
    await journal.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a restart ships, in order, everything an earlier run acknowledged but never shipped, before anything new", async () => {
    const dir = freshDir();
    // The first run's database never answers, as if the process died before shipping.
    const dead = await openJournal<Item>({ dir, ...codec, ship: () => new Promise<void>(() => {}) });
    for (const item of items(250)) await dead.append(item);

    const shipped: Item[][] = [];
    const restarted = await openJournal<Item>({ dir, ...codec, ...collecting(shipped), maxBatch: 100 });
    expect(shipped.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(shipped.flat()).toEqual(items(250));

    await restarted.append({ n: 250, text: "after the restart" });
    await restarted.shipped();
    expect(shipped.flat().at(-1)).toEqual({ n: 250, text: "after the restart" });
    await restarted.close();
  });

  it("skips a torn last line and a line a failed write left, and ships the rest", async () => {
    const dir = freshDir();
    const lines = [JSON.stringify({ n: 1, text: "one" }), '{"n":2,"te', JSON.stringify({ n: 3, text: "three" }), '{"n":4,"text":"fo'];
    writeFileSync(join(dir, "0000000000000000.jsonl"), `${lines[0]}\n${lines[1]}\n${lines[2]}\n${lines[3]}`);
    const shipped: Item[][] = [];
    const journal = await openJournal<Item>({ dir, ...codec, ...collecting(shipped) });
    expect(shipped.flat()).toEqual([
      { n: 1, text: "one" },
      { n: 3, text: "three" },
    ]);
    await journal.close();
  });

  it("retries a failed shipment until it goes through, losing and reordering nothing", async () => {
    const dir = freshDir();
    const shipped: Item[] = [];
    let failures = 0;
    const errors: unknown[] = [];
    const journal = await openJournal<Item>({
      dir,
      ...codec,
      retryMs: 5,
      maxBatch: 7,
      onShipError: (error) => errors.push(error),
      ship: async (batch) => {
        if (failures++ < 3) throw new Error("the database is unreachable");
        shipped.push(...batch);
      },
    });
    await Promise.all(items(20).map((item) => journal.append(item)));
    await journal.shipped();
    expect(shipped).toEqual(items(20));
    expect(errors).toHaveLength(3);
    await journal.close();
  });

  it("starts a new segment past the size limit and deletes each segment once all of it shipped", async () => {
    const { dir, journal, shipped, release } = await heldUpJournal({ segmentBytes: 200 });
    for (const item of items(30)) await journal.append(item);
    expect(segments(dir).length).toBeGreaterThan(3);
    release();
    await journal.shipped();
    // Only the segment still being written remains.
    expect(segments(dir)).toHaveLength(1);
    expect(shipped.flat()).toEqual(items(30));
    await journal.close();
  });

  /**
   * A journal that starts a segment per write, whose database goes away from item `downFrom` on,
   * and whose second segment's first write (item 1) fails: the disk is full (the segment prepared
   * for it is replaced by /dev/full). `afterFailure` plays what the failed write left behind.
   */
  const failingSecondSegment = async (dir: string, downFrom: number, afterFailure: (path: string) => void) => {
    const shipped: Item[] = [];
    const calls: Item[] = [];
    const journal = await openJournal<Item>({
      dir,
      ...codec,
      maxBatch: 1,
      shipIntervalMs: 0,
      segmentBytes: 1,
      ship: (batch) => {
        calls.push(...batch);
        if (batch[0]!.n >= downFrom) return new Promise<void>(() => {});
        shipped.push(...batch);
        return Promise.resolve();
      },
    });
    await journal.append(items(1)[0]!);
    await journal.shipped();
    const spare = join(dir, "next-segment.tmp");
    await expect.poll(() => existsSync(spare) && statSync(spare).size === 1).toBe(true);
    unlinkSync(spare);
    symlinkSync("/dev/full", spare);
    const failing = join(dir, "0000000000000001.jsonl");
    await expect(journal.append(items(1, 1)[0]!)).rejects.toThrow();
    unlinkSync(failing);
    afterFailure(failing);
    return { journal, shipped, calls };
  };
  const recovered = async (dir: string) => {
    const after: Item[][] = [];
    const restarted = await openJournal<Item>({ dir, ...codec, ...collecting(after) });
    await restarted.close();
    return after.flat();
  };

  it.skipIf(process.platform !== "linux")("a failed write acknowledges nothing, and what is written after it survives until shipped", async () => {
    const dir = freshDir();
    const { journal, shipped, calls } = await failingSecondSegment(dir, 3, () => {});
    await Promise.all(items(3, 2).map((item) => journal.append(item)));
    await expect.poll(() => calls.some((item) => item.n === 3)).toBe(true);
    expect(shipped).toEqual([items(1)[0], items(1, 2)[0]]);

    // A restart finds items 3 and 4, acknowledged and never shipped, on disk.
    expect((await recovered(dir)).filter((item) => item.n >= 3)).toEqual(items(2, 3));
  });

  it.skipIf(process.platform !== "linux")("what a failed write left in its segment does not swallow the next record", async () => {
    const dir = freshDir();
    const { journal } = await failingSecondSegment(dir, 2, (path) => writeFileSync(path, '{"n":1,"te'));
    await journal.append(items(1, 2)[0]!);
    // Item 0 may ship again (it was shipped, but its segment not yet deleted); item 1 never was acknowledged.
    expect((await recovered(dir)).filter((item) => item.n >= 1)).toEqual(items(1, 2));
  });

  it("refuses appends after close", async () => {
    const journal = await openJournal<Item>({ dir: freshDir(), ...codec, ship: async () => {} });
    await journal.close();
    await expect(journal.append({ n: 1, text: "late" })).rejects.toThrow("closed");
  });

  it("reading a segment cut at any byte yields exactly the records written whole before the cut", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ n: fc.integer(), text: fc.string() }), { maxLength: 20 }), fc.nat(), (records, cutAt) => {
        const text = records.map((record) => `${codec.encode(record)}\n`).join("");
        const cut = cutAt % (text.length + 1);
        const whole = records.filter((_, i) => records.slice(0, i + 1).reduce((length, r) => length + codec.encode(r).length + 1, 0) <= cut);
        expect(readSegment(text.slice(0, cut), codec.decode)).toEqual(whole);
      }),
    );
  });
});
