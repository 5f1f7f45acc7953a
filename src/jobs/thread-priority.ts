import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority (nice 10). On Linux a thread has its own nice
 * value, so background work (rendering days, validating a dataset) yields the cores to the event
 * loop that answers API requests. Elsewhere, or when not allowed, nothing changes.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: run at normal priority.
  }
}
