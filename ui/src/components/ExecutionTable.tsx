import { Link, useNavigate } from 'react-router-dom';
import type { ExecutionBatch } from '../api/types';
import { formatDuration, formatWho, shortId } from '../lib/format';
import { DirectionPill, KindBadge, StatusBadge, TimeAgo } from './bits';
import { DataTable, type Column } from './DataTable';

export function executionDuration(batch: ExecutionBatch): number | undefined {
  return batch.completedAt && batch.startedAt ? batch.completedAt - batch.startedAt : undefined;
}

const columns: Column<ExecutionBatch>[] = [
  {
    key: 'executionId',
    header: 'Execution',
    className: 'mono',
    render: (b) => (
      <Link to={`/executions/${encodeURIComponent(b.executionId)}`} title={b.executionId}>
        {shortId(b.executionId)}
      </Link>
    ),
    sortValue: (b) => b.executionId,
  },
  {
    key: 'status',
    header: 'Status',
    render: (b) => (
      <span className="badges" title={b.reason ? `Reason: ${b.reason}` : undefined}>
        <StatusBadge status={b.status} />
        <KindBadge kind={b.kind} />
      </span>
    ),
    sortValue: (b) => b.status,
  },
  { key: 'direction', header: 'Direction', render: (b) => <DirectionPill direction={b.direction} />, sortValue: (b) => b.direction },
  {
    key: 'count',
    header: 'Migrations',
    className: 'num',
    render: (b) => (
      <span title={`${b.finishedCount} finished of ${b.plannedCount} planned (${b.migrationCount} run(s))`}>
        {b.finishedCount}
        <span className="muted"> / {b.plannedCount}</span>
      </span>
    ),
    sortValue: (b) => b.finishedCount,
  },
  {
    key: 'target',
    header: 'Target',
    className: 'mono ellipsis',
    render: (b) => (b.target ? <span title={b.target}>{b.target}</span> : <span className="muted">-</span>),
    sortValue: (b) => b.target,
  },
  { key: 'started', header: 'Started', render: (b) => <TimeAgo ts={b.startedAt} />, sortValue: (b) => b.startedAt },
  { key: 'duration', header: 'Duration', className: 'num', render: (b) => formatDuration(executionDuration(b)), sortValue: (b) => executionDuration(b) },
  { key: 'who', header: 'By', className: 'ellipsis', render: (b) => formatWho(b.who) || <span className="muted">-</span>, sortValue: (b) => formatWho(b.who) },
];

export function ExecutionTable({
  rows,
  loading,
  paginate = true,
  label = 'Executions',
}: {
  rows: ExecutionBatch[];
  loading?: boolean;
  paginate?: boolean;
  label?: string;
}) {
  const navigate = useNavigate();
  return (
    <DataTable
      label={label}
      rows={rows}
      columns={columns}
      rowKey={(b) => b.executionId}
      initialSort={{ key: 'started', dir: 'desc' }}
      loading={loading}
      paginate={paginate}
      emptyText="No executions yet."
      onRowClick={(b) => navigate(`/executions/${encodeURIComponent(b.executionId)}`)}
    />
  );
}
