import type { MigrationRecord } from '../api/types';
import { formatWho } from '../lib/format';
import { JsonView } from './JsonView';
import { Markdown } from './Markdown';
import { OutputPanel } from './OutputPanel';

export function hasMetadata(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

export function runHasDetails(run: MigrationRecord, showDescription: boolean): boolean {
  return Boolean(
    run.reason ||
      run.error || hasMetadata(run.metadata) || run.output || run.outputTruncated || (showDescription && run.description?.trim()),
  );
}

export function RunDetails({ run, showDescription = false }: { run: MigrationRecord; showDescription?: boolean }) {
  const who = formatWho(run.who);
  return (
    <div className="run-details">
      <div className="run-meta muted">
        run <code>{run.runId}</code>
        {who && <> · by {who}</>}
        {run.who?.awsPrincipal && who !== run.who.awsPrincipal && <> · {run.who.awsPrincipal}</>}
        {run.hop ? <> · hop {run.hop}</> : null}
        {run.checksum && (
          <>
            {' '}
            · checksum <code title={run.checksum}>{run.checksum.slice(0, 12)}</code>
          </>
        )}
      </div>
      {(run.kind || run.reason) && (
        <div className="run-section" data-testid="run-kind">
          <span className="section-label">{run.kind === 'manual' ? 'Manual run' : run.kind ? `${run.kind} run` : 'Reason'}</span>
          <p className="muted">
            {run.kind === 'manual' && 'Recorded by an operations command, not by up/down. '}
            {run.reason ? (
              <>
                Reason: <span className="reason">{run.reason}</span>
              </>
            ) : (
              'No reason was given.'
            )}
          </p>
        </div>
      )}
      {showDescription && run.description?.trim() && (
        <div className="run-section">
          <span className="section-label">Description</span>
          <Markdown text={run.description} />
        </div>
      )}
      {run.error && (
        <div className="run-section">
          <span className="section-label">Error</span>
          <pre className="error-box">{run.error}</pre>
        </div>
      )}
      {hasMetadata(run.metadata) && (
        <div className="run-section">
          <JsonView value={run.metadata} caption={`returned from ${run.direction}()`} />
        </div>
      )}
      {(run.output || run.outputTruncated) && (
        <div className="run-section">
          <OutputPanel output={run.output} truncated={run.outputTruncated} />
        </div>
      )}
      {!runHasDetails(run, showDescription) && <p className="muted">No additional details captured for this run.</p>}
    </div>
  );
}
