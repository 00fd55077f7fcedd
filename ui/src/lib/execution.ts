// Planned vs finished for the execution detail page.
import type { ExecutionBatch, MigrationRecord, RunStatus } from '../api/types';

export interface PlanProgressItem {
  id: string;
  /** The latest run of this migration in this execution, if any. */
  status: RunStatus | 'not_started';
  planned: boolean;
}

/** One entry per planned id (plan order), then runs of ids that were not planned (run order). */
export function planProgress(batch: Pick<ExecutionBatch, 'planned'> | null | undefined, runs: readonly MigrationRecord[]): PlanProgressItem[] {
  const latest = new Map<string, MigrationRecord>();
  for (const run of runs) {
    const previous = latest.get(run.id);
    if (!previous || run.startedAt >= previous.startedAt) latest.set(run.id, run);
  }
  const planned = batch?.planned ?? [];
  const items: PlanProgressItem[] = planned.map((id) => ({ id, status: latest.get(id)?.status ?? 'not_started', planned: true }));
  const seen = new Set(planned);
  for (const run of runs) {
    if (seen.has(run.id)) continue;
    seen.add(run.id);
    items.push({ id: run.id, status: latest.get(run.id)!.status, planned: false });
  }
  return items;
}

export function countFinished(items: readonly PlanProgressItem[]): number {
  return items.filter((item) => item.status === 'completed').length;
}
