import { Link } from 'react-router-dom';
import type { MigrationRecord } from '../api/types';
import { formatDuration, formatWho, shortId } from '../lib/format';
import { DirectionPill, KindBadge, StatusBadge, TimeAgo } from './bits';
import { DataTable, type Column } from './DataTable';
import { RunDetails, runHasDetails } from './RunDetails';

/** Runs of one migration (mode 'migration') or of one execution (mode 'execution'). */
export function RunTable({
  runs,
  mode,
  loading,
  expandFirst = false,
}: {
  runs: MigrationRecord[];
  mode: 'migration' | 'execution';
  loading?: boolean;
  expandFirst?: boolean;
}) {
  const showDescription = mode === 'execution';
  const columns: Column<MigrationRecord>[] = [
    {
      key: 'status',
      header: 'Status',
      render: (r) => (
        <span className="badges">
          <StatusBadge status={r.status} />
          <KindBadge kind={r.kind} />
        </span>
      ),
      sortValue: (r) => r.status,
    },
    mode === 'execution'
      ? {
          key: 'id',
          header: 'Migration',
          className: 'mono',
          render: (r) => <Link to={`/migrations/${encodeURIComponent(r.id)}`}>{r.id}</Link>,
          sortValue: (r) => r.id,
        }
      : {
          key: 'execution',
          header: 'Execution',
          className: 'mono',
          render: (r) => (
            <Link to={`/executions/${encodeURIComponent(r.executionId)}`} title={r.executionId}>
              {shortId(r.executionId)}
            </Link>
          ),
          sortValue: (r) => r.executionId,
        },
    { key: 'direction', header: 'Direction', render: (r) => <DirectionPill direction={r.direction} />, sortValue: (r) => r.direction },
    { key: 'started', header: 'Started', render: (r) => <TimeAgo ts={r.startedAt} />, sortValue: (r) => r.startedAt },
    { key: 'duration', header: 'Duration', className: 'num', render: (r) => formatDuration(r.duration), sortValue: (r) => r.duration },
    { key: 'who', header: 'By', className: 'ellipsis', render: (r) => formatWho(r.who) || <span className="muted">-</span> },
  ];
  const first = runs[0];
  return (
    <DataTable
      label={mode === 'execution' ? 'Runs in this execution' : 'Run history'}
      rows={runs}
      columns={columns}
      rowKey={(r) => r.runId}
      loading={loading}
      paginate={mode === 'execution'}
      emptyText={mode === 'execution' ? 'No runs recorded for this execution.' : 'This migration has never run.'}
      renderExpanded={(r) => (runHasDetails(r, showDescription) || r.who || r.checksum || r.kind ? <RunDetails run={r} showDescription={showDescription} /> : null)}
      initiallyExpanded={expandFirst && first ? [first.runId] : undefined}
    />
  );
}
