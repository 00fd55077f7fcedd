import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { ActionResponse, Direction } from '../api/types';
import { BackfillPanel } from '../components/Backfill';
import { Card, ErrorBanner, Stat, StatusBadge, TimeAgo } from '../components/bits';
import { LiveRunPanel } from '../components/LiveRun';
import { useLock } from '../components/LockProvider';
import { Markdown } from '../components/Markdown';
import { RunDialog } from '../components/RunDialog';
import { RunTable } from '../components/RunTable';
import { StartedNotice } from '../components/StartedNotice';
import { UnknownMigration } from '../components/UnknownMigration';
import { formatDuration, shortId } from '../lib/format';
import { useApi, useClient, useRefreshOn } from '../lib/hooks';
import { MigrationFlags } from './Migrations';

export const RUNS_PAGE_SIZE = 10;

export function MigrationDetail() {
  const { id = '' } = useParams();
  const client = useClient();
  const { changeTick, expectActivity } = useLock();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [dialog, setDialog] = useState<Direction | null>(null);
  const [started, setStarted] = useState<ActionResponse | null>(null);

  const migrations = useApi((signal) => client.migrations(signal), ['migrations']);
  const runs = useApi((signal) => client.migrationRuns(id, RUNS_PAGE_SIZE, cursor, signal), ['runs', id, cursor]);
  useRefreshOn(migrations.reload, [changeTick]);
  useRefreshOn(runs.reload, [changeTick]);

  const view = migrations.data?.find((m) => m.id === id);
  const runList = runs.data?.items ?? [];
  const latestRun = cursors.length === 1 ? runList[0] : undefined;
  const description = view?.description ?? latestRun?.description ?? '';
  const notFound = migrations.data && !view && runs.data && runList.length === 0 && cursors.length === 1;
  const canRollBack = Boolean(view?.applied);
  const canRun = Boolean(view && !view.applied && !view.missing && view.status !== 'running');

  if (notFound) {
    // Neither in this binary nor in the store: nothing else on this page would be true of it.
    return (
      <div className="page">
        <Link to="/migrations" className="back">
          ← Migrations
        </Link>
        <UnknownMigration id={id} knownIds={(migrations.data ?? []).map((m) => m.id)} />
      </div>
    );
  }

  return (
    <div className="page">
      <Link to="/migrations" className="back">
        ← Migrations
      </Link>
      <ErrorBanner error={migrations.error ?? runs.error} />

      <section className="card header-card">
        <div className="header-main">
          <span className="eyebrow">Migration</span>
          <h1 className="title-break">{view?.name || latestRun?.name || id}</h1>
          <code className="mono muted id-line">{id}</code>
        </div>
        <div className="page-actions">
          {canRun && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog('up')}>
              Run up to this migration
            </button>
          )}
          {canRollBack && (
            <button type="button" className="btn btn-danger" onClick={() => setDialog('down')}>
              Roll back this migration
            </button>
          )}
        </div>
      </section>

      <StartedNotice response={started} onDismiss={() => setStarted(null)} />

      <div className="stats">
        <Stat label="Status">{view ? <StatusBadge status={view.status} /> : '…'}</Stat>
        <Stat label="Applied">{view ? (view.applied ? 'yes' : 'no') : '…'}</Stat>
        <Stat label="Last run">
          <TimeAgo ts={view?.startedAt} />
        </Stat>
        <Stat label="Duration">{formatDuration(view?.duration)}</Stat>
        <Stat label="Last execution">
          {view?.executionId ? (
            <Link to={`/executions/${encodeURIComponent(view.executionId)}`} className="mono">
              {shortId(view.executionId)}
            </Link>
          ) : (
            '-'
          )}
        </Stat>
        <Stat label="Checksum">
          {view?.checksum ? (
            <code title={view.checksum}>{view.checksum.slice(0, 12)}</code>
          ) : (
            <span className="muted">-</span>
          )}
        </Stat>
      </div>

      {view && (view.drift || view.missing || view.outOfOrder) && (
        <div className="banner banner-warn" role="note">
          <MigrationFlags m={{ ...view, outputTruncated: false }} />
          <span>
            {view.drift && 'Its source changed after it was applied (checksum drift). '}
            {view.missing && 'It is recorded in the store but not part of this binary. '}
            {view.outOfOrder && 'It is pending but older than the newest applied migration (out of order); the Run dialog says whether the ordering policy lets it run. '}
          </span>
        </div>
      )}
      {view?.error && (
        <div className="banner banner-danger" role="alert">
          <strong>Latest run {view.status === 'interrupted' ? 'was interrupted' : 'failed'}</strong>
          <span className="pre">{view.error}</span>
        </div>
      )}

      <LiveRunPanel migrationId={id} />
      {/* Only for a migration the list knows (in the binary or the store): for any other id the
          segments route answers 404, which the browser would log as a failed request. */}
      {view && <BackfillPanel migrationId={id} />}

      {description.trim() && (
        <Card title="Description">
          <Markdown text={description} />
        </Card>
      )}

      <Card title="Run history">
        <RunTable runs={runList} mode="migration" loading={runs.loading} expandFirst />
        {(cursors.length > 1 || runs.data?.nextCursor) && (
          <div className="pager">
            <span className="pager-pos">Page {cursors.length}</span>
            <button
              type="button"
              className="btn btn-small"
              disabled={cursors.length <= 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              ← Newer
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={!runs.data?.nextCursor}
              onClick={() => runs.data?.nextCursor && setCursors((c) => [...c, runs.data!.nextCursor])}
            >
              Older →
            </button>
          </div>
        )}
      </Card>

      {dialog && (
        <RunDialog
          direction={dialog}
          focusId={id}
          onClose={() => setDialog(null)}
          onStarted={(response) => {
            setStarted(response);
            expectActivity();
            setCursors([undefined]);
            migrations.reload();
            runs.reload();
          }}
        />
      )}
    </div>
  );
}
