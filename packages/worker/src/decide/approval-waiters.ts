import { APPROVAL_CHANNEL, type ApprovalNotice, type Database } from "@tollgate/db";

/**
 * Wakes long-polls when an approval is decided. One LISTEN per worker fans notices out to the
 * requests waiting on that approval; a waiter also wakes after `maxSleepMs`, so a missed
 * notification costs at most that long.
 */
export async function openApprovalWaiters(database: Database) {
  const waiting = new Map<string, Set<() => void>>();
  const unlisten = await database.listen(APPROVAL_CHANNEL, (payload) => {
    const { approvalId } = JSON.parse(payload) as ApprovalNotice;
    for (const wake of waiting.get(approvalId) ?? []) wake();
  });

  return {
    /** Resolves when `approvalId` is announced or after `maxSleepMs`, whichever comes first. */
    sleep(approvalId: string, maxSleepMs: number): Promise<void> {
      return new Promise((resolve) => {
        const wakers = waiting.get(approvalId) ?? new Set<() => void>();
        waiting.set(approvalId, wakers);
        const wake = () => {
          clearTimeout(timer);
          wakers.delete(wake);
          if (wakers.size === 0) waiting.delete(approvalId);
          resolve();
        };
        const timer = setTimeout(wake, maxSleepMs);
        wakers.add(wake);
      });
    },
    close: () => unlisten(),
  };
}

export type ApprovalWaiters = Awaited<ReturnType<typeof openApprovalWaiters>>;
