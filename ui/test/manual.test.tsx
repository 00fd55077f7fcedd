import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import type { ExecutionBatch, MigrationRecord } from '../src/api/types';
import { KindBadge } from '../src/components/bits';
import { ExecutionTable } from '../src/components/ExecutionTable';
import { RunDetails } from '../src/components/RunDetails';
import { RunTable } from '../src/components/RunTable';

const manual: MigrationRecord = {
  runId: 'r-1',
  id: '20250101090000_create-users',
  name: 'create-users',
  status: 'completed',
  direction: 'up',
  executionId: 'e-1',
  startedAt: 1_735_722_000_000,
  kind: 'manual',
  reason: 'adopted the existing database',
  who: { user: 'ops', host: 'bastion' },
};
const normal: MigrationRecord = { ...manual, runId: 'r-2', kind: undefined, reason: undefined };

describe('manual runs', () => {
  it('get a badge of their own', () => {
    const html = renderToStaticMarkup(<KindBadge kind="manual" />);
    expect(html).toContain('kind-manual');
    expect(html).toContain('>manual</span>');
    expect(renderToStaticMarkup(<KindBadge kind={undefined} />)).toBe('');
  });
  it('show the badge in the run history, and a normal run shows none', () => {
    const html = renderToStaticMarkup(
      <MemoryRouter>
        <RunTable runs={[manual, normal]} mode="migration" />
      </MemoryRouter>,
    );
    expect(html.match(/data-kind="manual"/g)?.length).toBe(1);
  });
  it('show their reason and who ran them', () => {
    const html = renderToStaticMarkup(<RunDetails run={manual} />);
    expect(html).toContain('Manual run');
    expect(html).toContain('adopted the existing database');
    expect(html).toContain('ops@bastion');
    expect(renderToStaticMarkup(<RunDetails run={normal} />)).not.toContain('run-kind');
    expect(renderToStaticMarkup(<RunDetails run={{ ...manual, reason: undefined }} />)).toContain('No reason was given.');
  });
  it('show the badge in the executions list', () => {
    const batch: ExecutionBatch = {
      executionId: 'e-1',
      direction: 'up',
      status: 'completed',
      startedAt: 1_735_722_000_000,
      migrationCount: 1,
      finishedCount: 1,
      plannedCount: 1,
      planned: [manual.id],
      hop: 0,
      kind: 'manual',
      reason: 'adopted the existing database',
    };
    const html = renderToStaticMarkup(
      <MemoryRouter>
        <ExecutionTable rows={[batch, { ...batch, executionId: 'e-2', kind: undefined, reason: undefined }]} />
      </MemoryRouter>,
    );
    expect(html.match(/data-kind="manual"/g)?.length).toBe(1);
    expect(html).toContain('Reason: adopted the existing database');
  });
});
