import { Link, useParams } from 'react-router-dom';
import { Card, DirectionPill, ErrorBanner, KindBadge, Stat, StatusBadge, TimeAgo } from '../components/bits';
import { executionDuration } from '../components/ExecutionTable';
import { LiveRunPanel } from '../components/LiveRun';
import { useLock } from '../components/LockProvider';
import { RunTable } from '../components/RunTable';
import { countFinished, planProgress } from '../lib/execution';
import { formatDuration, formatWho } from '../lib/format';
import { useApi, useClient, useRefreshOn } from '../lib/hooks';

export function ExecutionDetail() {
  const { id = '' } = useParams();
  const client = useClient();
  const { changeTick } = useLock();
  const summary = useApi((signal) => client.executionSummary(id, signal), ['execution-summary', id]);
  const runs = useApi((signal) => client.executionRuns(id, signal), ['execution-runs', id]);
  useRefreshOn(summary.reload, [changeTick]);
  useRefreshOn(runs.reload, [changeTick]);

  const batch = summary.data ?? undefined;
  const runList = runs.data ?? [];
  const progress = planProgress(batch, runList);
  const finished = countFinished(progress);
  const notFound = summary.data === null && runs.data && runList.length === 0;
  const running = batch?.status === 'running' || batch?.status === 'needs_continuation';

  return (
    <div className="page">
      <Link to="/executions" className="back">
        ← Executions
      </Link>
      <ErrorBanner error={summary.error ?? runs.error} />
      <section className="card header-card">
        <div className="header-main">
          <span className="eyebrow">Execution</span>
          <h1 className="mono title-break">{id}</h1>
        </div>
        {batch && (
          <span className="badges">
            <StatusBadge status={batch.status} />
            <KindBadge kind={batch.kind} />
          </span>
        )}
      </section>

      {notFound ? (
        <div className="banner banner-warn" role="note">
          No execution with this id was found.
        </div>
      ) : (
        <div className="stats">
          <Stat label="Direction">
            <DirectionPill direction={batch?.direction ?? runList[0]?.direction} />
          </Stat>
          <Stat label="Target">{batch?.target ? <code>{batch.target}</code> : <span className="muted">-</span>}</Stat>
          <Stat label="Started">
            <TimeAgo ts={batch?.startedAt ?? runList[0]?.startedAt} />
          </Stat>
          <Stat label="Duration">{batch ? (running ? 'running…' : formatDuration(executionDuration(batch))) : '-'}</Stat>
          <Stat label="Finished">
            <span data-testid="finished-count">
              {finished} / {batch ? batch.planned.length : progress.length} planned
            </span>
          </Stat>
          <Stat label="By">{formatWho(batch?.who) || <span className="muted">-</span>}</Stat>
          {batch && batch.hop > 0 && <Stat label="Lambda hops">{batch.hop + 1}</Stat>}
          {batch && (batch.kind || batch.reason) && (
            <Stat label="Reason">
              {batch.reason ? <span className="reason">{batch.reason}</span> : <span className="muted">none given</span>}
            </Stat>
          )}
        </div>
      )}

      {batch?.error && (
        <div className="banner banner-danger" role="alert">
          <strong>Execution {batch.status === 'interrupted' ? 'interrupted' : 'failed'}</strong>
          <span className="pre">{batch.error}</span>
        </div>
      )}

      <LiveRunPanel executionId={id} />

      {progress.length > 0 && (
        <Card title="Planned vs finished">
          <ol className="progress-list" data-testid="plan-progress">
            {progress.map((item, index) => (
              <li key={item.id}>
                <span className="step-no">{index + 1}.</span>
                {item.status === 'not_started' ? (
                  <span className="badge tone-muted">
                    <span className="icon">○</span>
                    {running ? 'waiting' : 'not run'}
                  </span>
                ) : (
                  <StatusBadge status={item.status} />
                )}
                <Link to={`/migrations/${encodeURIComponent(item.id)}`} className="mono">
                  {item.id}
                </Link>
                {!item.planned && <span className="flag flag-muted">not in the plan</span>}
              </li>
            ))}
          </ol>
        </Card>
      )}

      <Card title={`Runs in this execution${runList.length ? ` (${runList.length})` : ''}`}>
        <RunTable runs={runList} mode="execution" loading={runs.loading} />
      </Card>
    </div>
  );
}
