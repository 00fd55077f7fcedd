import { Link } from 'react-router-dom';
import { Card, ErrorBanner, Flag, StatusBadge } from '../components/bits';
import { ExecutionTable } from '../components/ExecutionTable';
import { LiveRunPanel } from '../components/LiveRun';
import { useLock } from '../components/LockProvider';
import { useApi, useClient, useRefreshOn } from '../lib/hooks';
import { matchesFilter } from '../lib/status';

export function Overview() {
  const client = useClient();
  const { changeTick, pollTick } = useLock();
  const summary = useApi((signal) => client.summary(signal), ['summary']);
  const migrations = useApi((signal) => client.migrations(signal), ['migrations']);
  const executions = useApi((signal) => client.executions(10, undefined, signal), ['executions', 10]);

  // Counts and recent executions follow every lock poll (2 s while running, 15 s idle).
  useRefreshOn(summary.reload, [changeTick, pollTick]);
  useRefreshOn(executions.reload, [changeTick, pollTick]);
  useRefreshOn(migrations.reload, [changeTick]);

  const s = summary.data;
  const attention = (migrations.data ?? []).filter((m) => matchesFilter(m, 'attention'));
  const cards = [
    { key: 'completed', label: 'Applied', value: s?.completed, tone: 'ok', to: '/migrations?status=completed' },
    { key: 'pending', label: 'Pending', value: s?.pending, tone: 'muted', to: '/migrations?status=pending' },
    { key: 'failed', label: 'Failed', value: s?.failed, tone: 'danger', to: '/migrations?status=failed' },
    { key: 'suspended', label: 'Suspended', value: s?.suspended, tone: 'warn', to: '/migrations?status=suspended' },
    { key: 'running', label: 'Running', value: s?.running, tone: 'info', to: '/migrations?status=running' },
    { key: 'total', label: 'Total', value: s?.total, tone: 'plain', to: '/migrations' },
  ];

  return (
    <div className="page">
      <div className="page-head">
        <h1>Overview</h1>
      </div>
      <ErrorBanner error={summary.error} title="Could not load the summary" />
      <div className="cards" data-testid="summary-cards">
        {cards.map((card) => (
          <Link key={card.key} to={card.to} className={`count-card tone-${card.tone}`} data-testid={`count-${card.key}`}>
            <span className="count-label">{card.label}</span>
            <span className="count-value">{card.value ?? (summary.loading ? '…' : '-')}</span>
          </Link>
        ))}
      </div>

      <LiveRunPanel />

      {attention.length > 0 && (
        <Card title={`Needs attention (${attention.length})`}>
          <ul className="attention">
            {attention.slice(0, 8).map((m) => (
              <li key={m.id}>
                <StatusBadge status={m.status} />
                <Link to={`/migrations/${encodeURIComponent(m.id)}`} className="mono">
                  {m.id}
                </Link>
                {m.drift && <Flag kind="warn">checksum drift</Flag>}
                {m.missing && <Flag kind="warn">missing from binary</Flag>}
                {m.outOfOrder && <Flag kind="warn">out of order</Flag>}
                {m.error && <span className="muted ellipsis attention-error">{m.error}</span>}
              </li>
            ))}
          </ul>
          {attention.length > 8 && (
            <Link to="/migrations?status=attention" className="more-link">
              All {attention.length} →
            </Link>
          )}
        </Card>
      )}

      <Card
        title="Recent executions"
        actions={
          <Link to="/executions" className="more-link">
            All executions →
          </Link>
        }
      >
        <ErrorBanner error={executions.error} title="Could not load executions" />
        <ExecutionTable rows={executions.data?.items ?? []} loading={executions.loading} paginate={false} label="Recent executions" />
      </Card>
    </div>
  );
}
