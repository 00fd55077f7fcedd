import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { LockView } from '../api/types';
import { useClient, useDocumentVisible } from '../lib/hooks';
import { EXPECT_ACTIVITY_MS, lockSignature, nextPollDelay } from '../lib/polling';

export interface LockState {
  lock: LockView | undefined;
  error: Error | undefined;
  /** Increments when a run starts, moves on to the next migration, or ends: pages refetch. */
  changeTick: number;
  /** Increments on every poll (2 s while running, 15 s when idle): for lists that may change elsewhere. */
  pollTick: number;
  /** Poll fast for a while (a run was just requested) and poll now. */
  expectActivity: () => void;
}

const LockContext = createContext<LockState>({
  lock: undefined,
  error: undefined,
  changeTick: 0,
  pollTick: 0,
  expectActivity: () => {},
});

export function useLock(): LockState {
  return useContext(LockContext);
}

/** Polls GET /api/lock for the whole app: one poller, whatever pages are open. */
export function LockProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const visible = useDocumentVisible();
  const [lock, setLock] = useState<LockView | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [changeTick, setChangeTick] = useState(0);
  const [pollTick, setPollTick] = useState(0);
  const [kick, setKick] = useState(0);
  const expectUntil = useRef(0);
  const signature = useRef<string | null>(null);
  const lockRef = useRef<LockView | undefined>(undefined);

  useEffect(() => {
    if (!visible) return undefined;
    let cancelled = false;
    let timer: number | undefined;
    const controller = new AbortController();

    const poll = async () => {
      try {
        const value = await client.lock(controller.signal);
        if (cancelled) return;
        lockRef.current = value;
        setLock(value);
        setError(undefined);
        const sig = lockSignature(value);
        // A change of holder or migration refreshes the pages; so does every poll shortly after
        // the user started something (a quick run can start and end between two polls).
        const changed = signature.current !== null && signature.current !== sig;
        if (changed || Date.now() < expectUntil.current) setChangeTick((t) => t + 1);
        signature.current = sig;
      } catch (reason) {
        if (cancelled) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      }
      if (cancelled) return;
      setPollTick((t) => t + 1);
      const delay = nextPollDelay(lockRef.current, Date.now(), expectUntil.current, true);
      if (delay !== null) timer = window.setTimeout(poll, delay);
    };
    void poll();
    return () => {
      cancelled = true;
      controller.abort();
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }, [client, visible, kick]);

  const expectActivity = useCallback(() => {
    expectUntil.current = Date.now() + EXPECT_ACTIVITY_MS;
    setKick((k) => k + 1);
  }, []);

  const value = useMemo(
    () => ({ lock, error, changeTick, pollTick, expectActivity }),
    [lock, error, changeTick, pollTick, expectActivity],
  );
  return <LockContext.Provider value={value}>{children}</LockContext.Provider>;
}
