// The lock-polling schedule, pure so it can be tested: fast while something runs (or right
// after the user started something), slow when idle, and nothing while the tab is hidden.
import type { LockView } from '../api/types';

export const FAST_POLL_MS = 2_000;
export const IDLE_POLL_MS = 15_000;
/** After a Run/Rollback is accepted, poll fast this long even before the lock shows up. */
export const EXPECT_ACTIVITY_MS = 20_000;

export function nextPollDelay(lock: LockView | undefined, now: number, expectActivityUntil: number, visible: boolean): number | null {
  if (!visible) return null;
  if (lock?.held) return FAST_POLL_MS;
  if (now < expectActivityUntil) return FAST_POLL_MS;
  return IDLE_POLL_MS;
}

/** Changes whenever a run starts, moves to another migration, or ends. */
export function lockSignature(lock: LockView | undefined): string {
  if (!lock || !lock.held) return 'free';
  return [lock.owner ?? '', lock.executionId ?? '', lock.current?.runId ?? '', lock.current?.migrationId ?? ''].join('|');
}
