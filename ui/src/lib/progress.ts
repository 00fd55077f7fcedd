// What a progress bar shows, pure so it can be tested: the percentage (clamped to 0-100, and
// absent when the total is unknown), the counts ("52% · 5,210/10,000 items") and how old the
// report is. Also which progress belongs to which row: the lock's is the freshest (polled every
// 2 s while a run lasts), the list row's is as old as the list.
import type { LockView, MigrationView, Progress, SegmentView } from '../api/types';
import { timeAgo } from './format';

/** A report older than this is flagged: the run may be stuck between two items, or gone. */
export const STALE_PROGRESS_MS = 30_000;

const numberFormat = new Intl.NumberFormat('en-US');

/** `5,210` (a fixed locale, so that the text is the same for every reader and every test). */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? numberFormat.format(value) : '-';
}

export interface ProgressDisplay {
  /** 0-100, whole percent (rounded down, so that 100 means done); null when the total is unknown. */
  percent: number | null;
  /** `52% · 5,210/10,000 items`, or `5,210 items` when the total is unknown. */
  label: string;
  /** `5,210/10,000 items`, or `5,210 items`. */
  counts: string;
  /** `updated 3s ago`, or '' when the report carries no time. */
  age: string;
  /** The report is older than STALE_PROGRESS_MS. */
  stale: boolean;
}

export function progressDisplay(progress: Progress, now: number = Date.now()): ProgressDisplay {
  const done = Math.max(0, Number.isFinite(progress.done) ? progress.done : 0);
  const total = typeof progress.total === 'number' && Number.isFinite(progress.total) ? Math.max(0, progress.total) : null;
  const unit = progress.unit ? ` ${progress.unit}` : '';
  let percent: number | null = null;
  // A total of 0 means there was nothing to do (an empty table): done, not unknown.
  if (total !== null) percent = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
  const counts = total === null ? `${formatCount(done)}${unit}` : `${formatCount(done)}/${formatCount(total)}${unit}`;
  const label = percent === null ? counts : `${percent}% · ${counts}`;
  const hasTime = Number.isFinite(progress.updatedAt) && progress.updatedAt > 0;
  return {
    percent,
    label,
    counts,
    age: hasTime ? `updated ${timeAgo(progress.updatedAt, now)}` : '',
    stale: hasTime && now - progress.updatedAt > STALE_PROGRESS_MS,
  };
}

/** `value` as a Progress when it has the shape of one (the API omits it until a run reports). */
export function asProgress(value: unknown): Progress | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.done !== 'number') return undefined;
  return {
    done: obj.done,
    total: typeof obj.total === 'number' ? obj.total : null,
    unit: typeof obj.unit === 'string' ? obj.unit : '',
    updatedAt: typeof obj.updatedAt === 'number' ? obj.updatedAt : 0,
  };
}

/** The progress of the migration the lock says is running now, if it is `migrationId`. */
export function lockProgress(lock: LockView | undefined, migrationId: string): Progress | undefined {
  if (!lock?.held || lock.current?.migrationId !== migrationId) return undefined;
  return asProgress(lock.current.progress);
}

/**
 * The progress to show on a list row: only while it runs, and the lock's (newer) when the lock
 * names it. A row the lock no longer names keeps what the list said until the list refetches
 * (which the end of the run triggers).
 */
export function rowProgress(row: MigrationView, lock: LockView | undefined): Progress | undefined {
  if (row.status !== 'running') return undefined;
  return lockProgress(lock, row.id) ?? asProgress(row.progress);
}

/**
 * A segment's tooltip: `segment 2 (of 16): running · scanned 1,000 · written 990 · …`. Numbered
 * from 0 as in the store and Scan's `Segment`, so that the number matches the logs.
 */
export function segmentTitle(segment: SegmentView, now: number = Date.now()): string {
  const parts = [
    `segment ${segment.segment} (of ${segment.totalSegments}): ${segment.state}`,
    `scanned ${formatCount(segment.scanned)}`,
    `written ${formatCount(segment.written)}`,
    `skipped ${formatCount(segment.skipped)}`,
    `failed ${formatCount(segment.failed)}`,
  ];
  if (segment.owner) parts.push(`worker ${segment.owner}`);
  if (segment.updatedAt > 0) parts.push(`updated ${timeAgo(segment.updatedAt, now)}`);
  return parts.join(' · ');
}
