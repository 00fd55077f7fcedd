import type { Progress } from '../api/types';
import { formatDateTime } from '../lib/format';
import { useNow } from '../lib/hooks';
import { progressDisplay } from '../lib/progress';

/**
 * One bar for a reported progress: `role="progressbar"` with the percentage as its value, or,
 * when the total is unknown, an indeterminate bar (no aria-valuenow) with the count. Below it
 * the counts and how old the report is. `compact` (table rows, the lock indicator) keeps the
 * age in the tooltip. A report older than STALE_PROGRESS_MS is flagged while `live` (a finished
 * backfill's bar is old by nature). `now` fixes the clock (tests); otherwise the age ticks every
 * second.
 */
export function ProgressBar({
  progress,
  label,
  compact = false,
  live = true,
  now,
}: {
  progress: Progress;
  /** The accessible name: what is progressing ("Progress of 2025…_backfill"). */
  label: string;
  compact?: boolean;
  live?: boolean;
  now?: number;
}) {
  const ticking = useNow(1000);
  const display = progressDisplay(progress, now ?? ticking);
  const indeterminate = display.percent === null;
  const classes = ['progress'];
  if (compact) classes.push('progress-compact');
  if (live && display.stale) classes.push('progress-stale');
  const reported = progress.updatedAt > 0 ? `reported at ${formatDateTime(progress.updatedAt)}` : undefined;
  return (
    <div className={classes.join(' ')} data-testid="progress" title={compact ? [display.label, display.age].filter(Boolean).join(' · ') : reported}>
      <div
        className={indeterminate ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={indeterminate ? undefined : display.percent ?? undefined}
        aria-valuetext={display.label}
      >
        {!indeterminate && <div className="progress-fill" style={{ width: `${display.percent}%` }} />}
      </div>
      <div className="progress-text">
        <span className="progress-label" data-testid="progress-label">
          {display.label}
        </span>
        {!compact && display.age && (
          <span className="progress-age" data-testid="progress-age">
            {display.age}
          </span>
        )}
      </div>
    </div>
  );
}
