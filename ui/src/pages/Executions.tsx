import { useCallback, useEffect, useRef, useState } from 'react';
import type { ExecutionBatch } from '../api/types';
import { ErrorBanner } from '../components/bits';
import { ExecutionTable } from '../components/ExecutionTable';
import { useLock } from '../components/LockProvider';
import { useClient } from '../lib/hooks';

export const EXECUTIONS_PAGE_SIZE = 50;

/** Merges a fresh first page with older pages already loaded (no duplicates, newest first). */
export function mergeExecutions(first: readonly ExecutionBatch[], loaded: readonly ExecutionBatch[]): ExecutionBatch[] {
  const ids = new Set(first.map((b) => b.executionId));
  return [...first, ...loaded.filter((b) => !ids.has(b.executionId))];
}

export function Executions() {
  const client = useClient();
  const { changeTick, pollTick } = useLock();
  const [rows, setRows] = useState<ExecutionBatch[]>([]);
  const [nextCursor, setNextCursor] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const olderLoaded = useRef(false);

  const refreshFirst = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const page = await client.executions(EXECUTIONS_PAGE_SIZE, undefined, signal);
        if (signal?.aborted) return;
        setRows((prev) => (olderLoaded.current ? mergeExecutions(page.items, prev) : page.items));
        if (!olderLoaded.current) setNextCursor(page.nextCursor);
        setError(undefined);
      } catch (reason) {
        if (signal?.aborted) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [client],
  );

  useEffect(() => {
    const controller = new AbortController();
    void refreshFirst(controller.signal);
    return () => controller.abort();
  }, [refreshFirst, changeTick, pollTick]);

  const loadOlder = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await client.executions(EXECUTIONS_PAGE_SIZE, nextCursor);
      olderLoaded.current = true;
      setRows((prev) => mergeExecutions(prev, page.items));
      setNextCursor(page.nextCursor);
    } catch (reason) {
      setError(reason instanceof Error ? reason : new Error(String(reason)));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Executions</h1>
        <span className="muted">{rows.length ? `${rows.length} loaded${nextCursor ? ', more available' : ''}` : ''}</span>
      </div>
      <ErrorBanner error={error} title="Could not load executions" />
      <ExecutionTable rows={rows} loading={loading} />
      {nextCursor && (
        <div className="load-more">
          <button type="button" className="btn" onClick={loadOlder} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load older executions'}
          </button>
        </div>
      )}
    </div>
  );
}
