import type { BackfillJobView, SegmentState, SegmentsView } from '../api/types';
import { shortId } from '../lib/format';
import { useApi, useClient, useNow, useRefreshOn } from '../lib/hooks';
import { formatCount, segmentTitle } from '../lib/progress';
import { ErrorBanner } from './bits';
import { useLock } from './LockProvider';
import { ProgressBar } from './ProgressBar';

const STATES: SegmentState[] = ['pending', 'running', 'done', 'failed'];

function stateClass(state: string): string {
  return (STATES as string[]).includes(state) ? state : 'unknown';
}

function BackfillJob({ job, live, now: fixedNow }: { job: BackfillJobView; live: boolean; now?: number }) {
  // Every 2 s (the refresh rate while it runs) is enough for the ages, over up to 1,024 cells.
  const ticking = useNow(2000);
  const now = fixedNow ?? ticking;
  const states = job.states ?? { pending: 0, running: 0, done: 0, failed: 0 };
  const counted = STATES.reduce((sum, s) => sum + (states[s] ?? 0), 0);
  // The job's segments exist once it started; before that its size is unknown, not "done".
  const total = job.totalSegments > 0 ? job.totalSegments : counted > 0 ? counted : null;
  const latest = job.segments.reduce((max, s) => Math.max(max, s.updatedAt || 0), 0);
  const totals = job.totals ?? { scanned: 0, written: 0, skipped: 0, failed: 0 };
  return (
    <div className="backfill-job" data-testid="backfill-job" data-job={job.jobId}>
      <div className="backfill-head">
        <h3 className="mono">{job.name}</h3>
        <span className="muted mono" title={`job ${job.jobId}`}>
          {`job ${shortId(job.jobId)}`}
        </span>
      </div>
      <ProgressBar
        progress={{ done: states.done ?? 0, total, unit: 'segments done', updatedAt: latest }}
        label={`Backfill ${job.name}: segments done`}
        live={live}
        now={now}
      />
      <dl className="backfill-totals" data-testid="backfill-totals">
        {(['scanned', 'written', 'skipped', 'failed'] as const).map((key) => (
          <div key={key} className={key === 'failed' && totals.failed > 0 ? 'backfill-total has-failed' : 'backfill-total'}>
            <dt>{key}</dt>
            <dd data-count={key}>{formatCount(totals[key])}</dd>
          </div>
        ))}
      </dl>
      <div className="segment-legend" data-testid="segment-states">
        {STATES.map((state) => (
          <span key={state} className="segment-legend-item" data-state={state}>
            <span className={`seg seg-${state}`} aria-hidden="true" />
            {`${formatCount(states[state] ?? 0)} ${state}`}
          </span>
        ))}
      </div>
      <ul className="segments" aria-label={`Segments of ${job.name}`}>
        {job.segments.map((segment) => (
          <li
            key={segment.segment}
            className={`seg seg-${stateClass(segment.state)}`}
            data-state={segment.state}
            title={segmentTitle(segment, now)}
            aria-label={segmentTitle(segment, now)}
          />
        ))}
      </ul>
      {job.segmentsTruncated && (
        <p className="muted backfill-note" data-testid="segments-truncated">
          {`Showing ${formatCount(job.segments.length)} of ${formatCount(total ?? counted)} segments; the counts above cover all of them.`}
        </p>
      )}
    </div>
  );
}

/** The jobs of one GET /api/migrations/{id}/segments answer; nothing when there are none. */
export function BackfillJobs({ view, now }: { view: SegmentsView | null | undefined; now?: number }) {
  if (!view || !view.jobs.length) return null;
  return (
    <section className="card backfill" data-testid="backfill">
      <div className="card-head">
        <h2>Backfill</h2>
        {view.running && <span className="muted">live, every 2 s</span>}
      </div>
      {view.jobs.map((job) => (
        <BackfillJob key={job.jobId} job={job} live={view.running} now={now} />
      ))}
    </section>
  );
}

/**
 * The Backfill panel of a migration's page. Fetched once, then on every lock poll while this
 * migration runs (2 s; the lock poller stops while the tab is hidden, and so does this), and
 * once more when a run starts or ends. A migration without backfill jobs (or an API without the
 * route: 404) shows nothing.
 */
export function BackfillPanel({ migrationId }: { migrationId: string }) {
  const client = useClient();
  const { lock, pollTick, changeTick } = useLock();
  const running = Boolean(lock?.held && lock.current?.migrationId === migrationId);
  const segments = useApi((signal) => client.segments(migrationId, signal), ['segments', migrationId]);
  useRefreshOn(segments.reload, [changeTick, running ? pollTick : -1]);
  if (segments.error && !segments.data) return <ErrorBanner error={segments.error} title="Could not load the backfill segments" />;
  return <BackfillJobs view={segments.data} />;
}
