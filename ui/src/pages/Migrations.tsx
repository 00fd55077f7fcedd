import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { ActionResponse, Direction, MigrationView } from '../api/types';
import { DirectionPill, ErrorBanner, Flag, StatusBadge, TimeAgo } from '../components/bits';
import { DataTable, type Column } from '../components/DataTable';
import { useLock } from '../components/LockProvider';
import { ProgressBar } from '../components/ProgressBar';
import { RunDialog } from '../components/RunDialog';
import { StartedNotice } from '../components/StartedNotice';
import { formatDuration } from '../lib/format';
import { useApi, useClient, useRefreshOn } from '../lib/hooks';
import { rowProgress } from '../lib/progress';
import { matchesFilter, matchesSearch, STATUS_FILTERS, type StatusFilter } from '../lib/status';

/** Ids a Run dialog may target (run order) and a Rollback dialog may target (newest first). */
export function dialogCandidates(rows: readonly MigrationView[]): { pending: string[]; applied: string[] } {
  const pending = rows.filter((m) => !m.applied && !m.missing && m.status !== 'running').map((m) => m.id).sort();
  const applied = rows.filter((m) => m.applied).map((m) => m.id).sort().reverse();
  return { pending, applied };
}

export function MigrationFlags({ m }: { m: MigrationView }) {
  return (
    <span className="flags">
      {m.drift && (
        <Flag kind="warn">
          <span title="The checksum recorded when it was applied differs from this binary's">drift</span>
        </Flag>
      )}
      {m.missing && (
        <Flag kind="warn">
          <span title="Recorded in the store but not in this binary">missing</span>
        </Flag>
      )}
      {m.outOfOrder && (
        <Flag kind="warn">
          <span title="Pending, but older than the newest applied migration">out of order</span>
        </Flag>
      )}
      {m.outputTruncated && (
        <Flag kind="muted">
          <span title="The latest run's output exceeded the storage cap">output truncated</span>
        </Flag>
      )}
    </span>
  );
}

/** The status, and under it the bar of the migration running now (once it reported progress). */
function StatusCell({ m }: { m: MigrationView }) {
  if (!m.progress) return <StatusBadge status={m.status} />;
  return (
    <div className="status-progress">
      <StatusBadge status={m.status} />
      <ProgressBar progress={m.progress} label={`Progress of ${m.id}`} compact />
    </div>
  );
}

const columns: Column<MigrationView>[] = [
  { key: 'status', header: 'Status', render: (m) => <StatusCell m={m} />, sortValue: (m) => m.status },
  {
    key: 'id',
    header: 'ID',
    className: 'mono',
    render: (m) => <Link to={`/migrations/${encodeURIComponent(m.id)}`}>{m.id}</Link>,
    sortValue: (m) => m.id,
  },
  { key: 'direction', header: 'Last run', render: (m) => <DirectionPill direction={m.direction} />, sortValue: (m) => m.direction },
  { key: 'time', header: 'When', render: (m) => <TimeAgo ts={m.startedAt} />, sortValue: (m) => m.startedAt },
  { key: 'duration', header: 'Duration', className: 'num', render: (m) => formatDuration(m.duration), sortValue: (m) => m.duration },
  { key: 'flags', header: 'Notes', render: (m) => <MigrationFlags m={m} /> },
];

function isFilter(value: string | null): value is StatusFilter {
  return STATUS_FILTERS.some((f) => f.key === value);
}

export function Migrations() {
  const client = useClient();
  const navigate = useNavigate();
  const { lock, changeTick, expectActivity } = useLock();
  const [searchParams, setSearchParams] = useSearchParams();
  const statusParam = searchParams.get('status');
  const filter: StatusFilter = isFilter(statusParam) ? statusParam : 'all';
  const query = searchParams.get('q') ?? '';
  const [dialog, setDialog] = useState<Direction | null>(null);
  const [started, setStarted] = useState<ActionResponse | null>(null);

  const migrations = useApi((signal) => client.migrations(signal), ['migrations']);
  useRefreshOn(migrations.reload, [changeTick]);

  // The running row's progress follows the lock (polled every 2 s while it runs); the list
  // itself is refetched only when a run starts, moves on or ends.
  const rows = useMemo(
    () =>
      (migrations.data ?? []).map((m) => {
        const progress = rowProgress(m, lock);
        return progress === m.progress ? m : { ...m, progress };
      }),
    [migrations.data, lock],
  );
  const counts = useMemo(() => {
    const result: Record<string, number> = {};
    for (const f of STATUS_FILTERS) result[f.key] = rows.filter((m) => matchesFilter(m, f.key)).length;
    return result;
  }, [rows]);
  const visible = useMemo(() => rows.filter((m) => matchesFilter(m, filter) && matchesSearch(m, query)), [rows, filter, query]);
  const candidates = useMemo(() => dialogCandidates(rows), [rows]);

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(searchParams);
    if (value && value !== 'all') next.set(key, value);
    else next.delete(key);
    setSearchParams(next, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Migrations</h1>
        <div className="page-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!migrations.data || candidates.pending.length === 0}
            onClick={() => setDialog('up')}
          >
            Run migrations
          </button>
          <button
            type="button"
            className="btn btn-danger-outline"
            disabled={!migrations.data || candidates.applied.length === 0}
            onClick={() => setDialog('down')}
          >
            Roll back…
          </button>
        </div>
      </div>

      <StartedNotice response={started} onDismiss={() => setStarted(null)} />
      <ErrorBanner error={migrations.error} title="Could not load migrations" />

      <div className="toolbar">
        <div className="chips" role="group" aria-label="Filter by status">
          {STATUS_FILTERS.map((f) => (
            <button
              key={f.key}
              type="button"
              className={f.key === filter ? 'chip active' : 'chip'}
              aria-pressed={f.key === filter}
              onClick={() => update('status', f.key)}
            >
              {f.label}
              <span className="chip-count">{counts[f.key] ?? 0}</span>
            </button>
          ))}
        </div>
        <input
          className="input search"
          type="search"
          placeholder="Search id or name"
          aria-label="Search migrations"
          value={query}
          onChange={(event) => update('q', event.target.value)}
        />
      </div>

      <DataTable
        label="Migrations"
        rows={visible}
        columns={columns}
        rowKey={(m) => m.id}
        initialSort={{ key: 'id', dir: 'desc' }}
        loading={migrations.loading}
        emptyText={rows.length ? 'No migration matches these filters.' : 'No migrations.'}
        onRowClick={(m) => navigate(`/migrations/${encodeURIComponent(m.id)}`)}
      />

      {dialog && (
        <RunDialog
          direction={dialog}
          candidates={dialog === 'up' ? candidates.pending : candidates.applied}
          onClose={() => setDialog(null)}
          onStarted={(response) => {
            setStarted(response);
            expectActivity();
            migrations.reload();
          }}
        />
      )}
    </div>
  );
}
