/**
 * Collects items and writes them in batches, one batch at a time: whatever arrives while a batch
 * is being written goes into the next one. So a quiet worker writes each item at once, and a busy
 * one writes many per transaction. `write` settles every item itself and never throws.
 */
export function groupCommit<T>(write: (batch: T[]) => Promise<void>, maxBatch: number) {
  let queue: T[] = [];
  let writing: Promise<void> | null = null;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      await write(batch);
    }
  };
  const schedule = () => {
    // setImmediate: everything the current turn of the event loop pushes goes into one batch.
    writing ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .finally(() => {
        writing = null;
        if (queue.length > 0) schedule();
      });
  };
  return {
    push(item: T) {
      queue.push(item);
      schedule();
    },
    /** Resolves once everything pushed so far is written. */
    async drained() {
      while (writing) await writing;
    },
  };
}

/** Writes `batch`; if that fails, splits it in halves until each failing item is alone. */
export async function writeOrSplit<T>(
  batch: T[],
  write: (batch: T[]) => Promise<void>,
  failed: (item: T, error: unknown) => void,
): Promise<void> {
  try {
    await write(batch);
  } catch (error) {
    if (batch.length === 1) return failed(batch[0]!, error);
    const half = Math.ceil(batch.length / 2);
    await writeOrSplit(batch.slice(0, half), write, failed);
    await writeOrSplit(batch.slice(half), write, failed);
  }
}
