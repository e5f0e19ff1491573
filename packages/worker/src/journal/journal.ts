// A local, append-only journal that makes records durable in a fraction of a millisecond and
// ships them to their real home (PostgreSQL) afterwards, in order, in large batches.
//
// Why: a decision must be durable before its answer is sent. A PostgreSQL transaction per group
// of decisions costs several round trips plus a WAL flush, all waiting on a busy event loop; one
// synchronous write to a local file costs a syscall and the disk's flush. The journal takes
// the database off the answer's path without giving up durability: a record is acknowledged only
// once it is on disk, and a restarted worker ships whatever its last run left behind before it
// does anything else.
//
// On disk: a directory of segment files, `<first sequence number>.jsonl`, one record per line,
// then zeros to the segment's size. A batch of lines is written whole and durably, and nothing
// is acknowledged before that, so the only damage a crash can leave is a torn last line, which
// was never acknowledged and is skipped. A segment is deleted once every record in it is shipped.
import { constants, fdatasyncSync, writeSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { groupCommit } from "../budget/group-commit";

export interface JournalOptions<T> {
  /** The journal's own directory; one process at a time (a worker id's restarts share it). */
  dir: string;
  /** A record as one line of text (no newline), and back. */
  encode: (record: T) => string;
  decode: (line: string) => T;
  /**
   * Writes a batch to its destination. It settles every record itself (a record that cannot be
   * written is its own business); it throws only when the batch should be tried again later.
   */
  ship: (records: T[]) => Promise<void>;
  /** Records per shipment. Default 1,000. */
  maxBatch?: number;
  /**
   * A shipment smaller than a full batch waits until this long after the previous one started,
   * so a busy worker ships a few large batches a second rather than a stream of small ones (each
   * costs a transaction and a WAL flush, whose fsync the journal's own queue behind). Default 100 ms.
   */
  shipIntervalMs?: number;
  /** The pause before a failed shipment is tried again. Default 500 ms. */
  retryMs?: number;
  /** A segment this large is closed and a new one started. Default 8 MiB. */
  segmentBytes?: number;
  /** Told when a shipment fails and will be retried. */
  onShipError?: (error: unknown) => void;
  /** Told how long each durable write took (the event loop waits for it). */
  onWrite?: (seconds: number) => void;
}

export interface Journal<T> {
  /** Resolves once `record` is on disk; it is shipped after, in append order. */
  append(record: T): Promise<void>;
  /** Resolves once everything appended so far is shipped. */
  shipped(): Promise<void>;
  /** Ships what is waiting now rather than at the next interval (someone waits for it). */
  hurry(): void;
  /** Records appended but not shipped yet. */
  readonly lag: number;
  /** Writes and ships what is pending, then closes the file. */
  close(): Promise<void>;
}

/**
 * Segments are opened O_DSYNC, so a write returns once its bytes are on disk: one call per batch,
 * where a write and then an fdatasync took two (at 2,000 decisions/s, alternating runs: p50
 * 2.6–4.6 ms against 7–20, p99 40–60 ms against 78–165). A platform without O_DSYNC (Windows)
 * gets the fdatasync instead.
 */
const DSYNC: number | undefined = constants.O_DSYNC;
const SEGMENT_FLAGS = DSYNC === undefined ? "r+" : constants.O_WRONLY | DSYNC;

/**
 * The next segment, written full of zeros and flushed before it is needed. Records then overwrite
 * blocks the file already has, so a durable write is one data write: appending grew the file, and
 * the new size took a filesystem journal commit on every write (0.16 against 0.22–0.26 ms a write,
 * 63 against 77–103 µs of CPU, alone; at 2,000 decisions/s p50 0.75–1.01 ms against 1.17–1.46).
 * Not a segment's name: a restart overwrites it.
 */
const SPARE = "next-segment.tmp";
/** Zeros are written a MiB at a time. */
const ZERO_CHUNK = 1024 * 1024;

/**
 * Writes a batch durably on the event loop itself, blocking it for the write (~0.15–0.25 ms on
 * these machines): every answer waits for this write anyway, and through the thread pool the
 * write cost the loop ~45 µs to hand over and then waited for a pool thread and for the loop to
 * get a core again, two scheduling delays that made the tail on a busy machine (at 2,000
 * decisions/s, five alternating pairs: p99 16–22 ms in four and 51 in one, against 20–44).
 */
function writeDurably(file: FileHandle, bytes: Buffer, at: number): void {
  const written = writeSync(file.fd, bytes, 0, bytes.length, at);
  if (written !== bytes.length) throw new Error(`short journal write: ${written} of ${bytes.length} bytes`);
  if (DSYNC === undefined) fdatasyncSync(file.fd);
}

/** A record waiting for its durable write. */
interface Appended<T> {
  record: T;
  line: string;
  done: () => void;
  failed: (error: unknown) => void;
}

interface Segment {
  path: string;
  /** Sequence number of its first record: the number in its name. */
  first: number;
  /** Sequence number of its last record; first - 1 while it holds none. */
  last: number;
}

/**
 * Calls `look` until `missing(result)` is false, `retryMs` apart, for at most a second: a
 * journaling worker answers before its records reach PostgreSQL (milliseconds later), so a reader
 * (on that worker or another) looks again for a moment before it calls a record unknown.
 */
export async function lookUntilShipped<T>(look: () => Promise<T>, missing: (result: T) => boolean, retryMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const result = await look();
    if (!missing(result) || Date.now() - started >= 1_000) return result;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

const SEGMENT = /^(\d{16})\.jsonl$/;
const segmentName = (first: number) => `${String(first).padStart(16, "0")}.jsonl`;

/**
 * Every record in a segment's text. A torn last line (no newline) was never acknowledged, nor was
 * a line that does not decode (what a failed write left): both are skipped.
 */
export function readSegment<T>(text: string, decode: (line: string) => T): T[] {
  const lines = text.split("\n");
  lines.pop();
  const records: T[] = [];
  for (const line of lines) {
    try {
      records.push(decode(line));
    } catch {
      // Never acknowledged: see above.
    }
  }
  return records;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens the journal in `dir`: first ships, in order, every record an earlier run left there
 * (throwing if that fails: a worker must not start on top of an unshipped past), then starts a
 * fresh segment for this run.
 */
export async function openJournal<T>(options: JournalOptions<T>): Promise<Journal<T>> {
  const { dir, encode, decode, ship } = options;
  const maxBatch = options.maxBatch ?? 1_000;
  const retryMs = options.retryMs ?? 500;
  const shipIntervalMs = options.shipIntervalMs ?? 100;
  const segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  await mkdir(dir, { recursive: true });

  const leftover = (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
  let next = 0;
  for (const name of leftover) {
    const path = join(dir, name);
    const records = readSegment(await readFile(path, "utf8"), decode);
    for (let i = 0; i < records.length; i += maxBatch) await ship(records.slice(i, i + maxBatch));
    next = Math.max(next, Number(SEGMENT.exec(name)![1]) + records.length);
    await unlink(path);
  }
  if (leftover.length > 0) await syncDirectory(dir);

  const sparePath = join(dir, SPARE);
  const prepareSpare = async () => {
    const spare = await open(sparePath, "w");
    const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, segmentBytes));
    try {
      for (let at = 0; at < segmentBytes; at += zeros.length) await spare.write(zeros, 0, Math.min(zeros.length, segmentBytes - at), at);
      await spare.sync();
    } finally {
      await spare.close();
    }
  };
  let spare: Promise<void> | null = null;

  let file: FileHandle | null = null;
  let current: Segment | null = null;
  let currentBytes = 0;
  const closedSegments: Segment[] = [];

  // Shipping: durable records in order; `shippedThrough` is the sequence number of the last one shipped.
  const unshipped: { seq: number; record: T }[] = [];
  let shippedThrough = next - 1;
  let shipping: Promise<void> | null = null;
  let drainWaiters: (() => void)[] = [];
  let closed = false;

  const startSegment = async (first: number) => {
    const path = join(dir, segmentName(first));
    const ready = spare ?? prepareSpare();
    spare = null;
    await ready;
    await rename(sparePath, path);
    if (file) {
      const closing = file;
      file = null;
      await closing.close();
      if (current!.last >= current!.first) closedSegments.push(current!);
      // Else its first write failed: it holds nothing acknowledged, and the next segment, which
      // has its name (no record took a number), has just replaced it.
    }
    current = { path, first, last: first - 1 };
    file = await open(path, SEGMENT_FLAGS);
    currentBytes = 0;
    // The new file's name must survive a crash as surely as the records written into it.
    await syncDirectory(dir);
    // A failed preparation is tried again when the segment after this one is needed.
    spare = prepareSpare();
    spare.catch(() => {});
  };
  await startSegment(next);

  const removeShippedSegments = async () => {
    while (closedSegments.length > 0 && closedSegments[0]!.last <= shippedThrough) {
      await unlink(closedSegments.shift()!.path).catch(() => {
        // Already gone: nothing to ship from it either way.
      });
    }
  };

  let lastShipAt = 0;
  let hurry: (() => void) | null = null;
  const shipLoop = async () => {
    while (unshipped.length > 0) {
      const early = lastShipAt + shipIntervalMs - Date.now();
      if (early > 0 && unshipped.length < maxBatch && drainWaiters.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, early);
          hurry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        hurry = null;
      }
      lastShipAt = Date.now();
      const batch = unshipped.slice(0, maxBatch);
      try {
        await ship(batch.map((entry) => entry.record));
      } catch (error) {
        options.onShipError?.(error);
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        continue;
      }
      unshipped.splice(0, batch.length);
      shippedThrough = batch[batch.length - 1]!.seq;
      await removeShippedSegments();
    }
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const scheduleShipping = () => {
    shipping ??= shipLoop().finally(() => {
      shipping = null;
      if (unshipped.length > 0 || drainWaiters.length > 0) scheduleShipping();
    });
  };

  // Appending is a group commit: records appended while a durable write runs share the next.
  let appending = 0;
  const appends = groupCommit<Appended<T>>(async (batch) => {
    try {
      const bytes = Buffer.from(batch.map((entry) => `${entry.line}\n`).join(""), "utf8");
      // A batch larger than a whole segment grows a fresh one, rather than never fitting.
      if (currentBytes + bytes.length > segmentBytes && currentBytes > 0) await startSegment(next);
      const started = performance.now();
      writeDurably(file!, bytes, currentBytes);
      options.onWrite?.((performance.now() - started) / 1000);
      currentBytes += bytes.length;
    } catch (error) {
      // Part of the write may have reached the file: later records go to a fresh segment, so
      // that a torn line can only ever be a segment's last.
      currentBytes = Infinity;
      appending -= batch.length;
      for (const entry of batch) entry.failed(error);
      return;
    }
    appending -= batch.length;
    for (const entry of batch) {
      const seq = next++;
      current!.last = seq;
      unshipped.push({ seq, record: entry.record });
      entry.done();
    }
    scheduleShipping();
  }, Infinity);

  const journal: Journal<T> = {
    append(record) {
      if (closed) return Promise.reject(new Error("the journal is closed"));
      const line = encode(record);
      appending++;
      return new Promise<void>((done, failed) => appends.push({ record, line, done, failed }));
    },
    async shipped() {
      await appends.drained();
      if (unshipped.length === 0 && !shipping) return;
      await new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        scheduleShipping();
        hurry?.();
      });
    },
    hurry() {
      hurry?.();
    },
    get lag() {
      return appending + unshipped.length;
    },
    async close() {
      await journal.shipped();
      closed = true;
      await file?.close();
      file = null;
      // Everything is shipped: the segments are history.
      await spare?.catch(() => {});
      for (const path of [...closedSegments.map((segment) => segment.path), current!.path, sparePath]) await unlink(path).catch(() => {});
      closedSegments.length = 0;
    },
  };
  return journal;
}
