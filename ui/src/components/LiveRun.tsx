import { Link } from 'react-router-dom';
import { formatDuration, formatHolder, formatWho, shortId } from '../lib/format';
import { useNow } from '../lib/hooks';
import { asProgress } from '../lib/progress';
import { DirectionPill, TimeAgo } from './bits';
import { useLock } from './LockProvider';
import { OutputPanel } from './OutputPanel';
import { ProgressBar } from './ProgressBar';

/** Compact lock state for the sidebar / top bar. */
export function LockIndicator() {
  const { lock, error } = useLock();
  const now = useNow(1000);
  if (error && !lock) {
    return (
      <div className="lock lock-unknown" title={error.message}>
        <span className="dot" /> Lock: unknown
      </div>
    );
  }
  if (!lock?.held) {
    return (
      <div className="lock lock-free" data-testid="lock-indicator">
        <span className="dot" /> Idle — lock free
      </div>
    );
  }
  const expiresIn = lock.expiresAt ? Math.max(0, lock.expiresAt - now) : undefined;
  const progress = asProgress(lock.current?.progress);
  return (
    <div className="lock lock-held" data-testid="lock-indicator" title={formatHolder(lock)}>
      <span className="dot pulse" />
      <div className="lock-text">
        {lock.current ? (
          <>
            Running{' '}
            <Link to={`/migrations/${encodeURIComponent(lock.current.migrationId)}`} className="mono">
              {lock.current.migrationId}
            </Link>
          </>
        ) : (
          'Lock held'
        )}
        <div className="lock-sub">
          {formatWho(lock.who) || lock.owner || 'unknown holder'}
          {expiresIn !== undefined && <> · lease {formatDuration(expiresIn)}</>}
        </div>
        {lock.current && progress && (
          <ProgressBar progress={progress} label={`Progress of ${lock.current.migrationId}`} compact now={now} />
        )}
      </div>
    </div>
  );
}

/** The running migration and its live output tail (shown when `filter` matches the lock). */
export function LiveRunPanel({ migrationId, executionId }: { migrationId?: string; executionId?: string }) {
  const { lock } = useLock();
  if (!lock?.held) return null;
  if (migrationId && lock.current?.migrationId !== migrationId) return null;
  if (executionId && lock.executionId !== executionId) return null;
  const current = lock.current;
  const progress = asProgress(current?.progress);
  return (
    <section className="card live" data-testid="live-run">
      <div className="card-head">
        <h2>
          <span className="dot pulse" /> {current ? 'Running now' : 'Lock held'}
        </h2>
        {lock.executionId && (
          <Link to={`/executions/${encodeURIComponent(lock.executionId)}`} className="btn btn-small">
            Execution {shortId(lock.executionId)}
          </Link>
        )}
      </div>
      <div className="live-meta">
        {current ? (
          <>
            <Link to={`/migrations/${encodeURIComponent(current.migrationId)}`} className="mono">
              {current.migrationId}
            </Link>
            <DirectionPill direction={current.direction} />
            <span className="muted">
              started <TimeAgo ts={current.startedAt} />
            </span>
          </>
        ) : (
          <span className="muted">Between migrations, or starting up.</span>
        )}
        <span className="muted">by {formatHolder({ ...lock, current: undefined, executionId: undefined })}</span>
      </div>
      {current && progress && <ProgressBar progress={progress} label={`Progress of ${current.migrationId}`} />}
      {current && <OutputPanel output={current.output} title="Live output" live />}
    </section>
  );
}
