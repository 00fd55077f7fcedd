import indexHtml from '../index.html?raw';
import { describe, expect, it } from 'vitest';
import type { ExecutionBatch, MigrationRecord, MigrationView } from '../src/api/types';
import { hasMetadata, runHasDetails } from '../src/components/RunDetails';
import { countFinished, planProgress } from '../src/lib/execution';
import { prettyJson, tokenizeJson } from '../src/lib/json';
import { FAST_POLL_MS, IDLE_POLL_MS, lockSignature, nextPollDelay } from '../src/lib/polling';
import { pageCount, pageSlice, sortRows } from '../src/lib/table';
import { mergeExecutions } from '../src/pages/Executions';
import { dialogCandidates } from '../src/pages/Migrations';

function run(partial: Partial<MigrationRecord>): MigrationRecord {
  return { runId: 'r', id: 'a', name: 'a', status: 'completed', direction: 'up', executionId: 'e', startedAt: 1, ...partial };
}

describe('lock polling schedule', () => {
  it('polls every 2 s while the lock is held', () => {
    expect(nextPollDelay({ held: true }, 0, 0, true)).toBe(FAST_POLL_MS);
    expect(FAST_POLL_MS).toBe(2000);
  });
  it('backs off to 15 s when idle', () => {
    expect(nextPollDelay({ held: false }, 10_000, 0, true)).toBe(IDLE_POLL_MS);
    expect(IDLE_POLL_MS).toBe(15_000);
  });
  it('polls fast right after the user started a run', () => {
    expect(nextPollDelay({ held: false }, 1000, 5000, true)).toBe(FAST_POLL_MS);
  });
  it('stops while the tab is hidden', () => {
    expect(nextPollDelay({ held: true }, 0, 0, false)).toBeNull();
  });
  it('signals a change when the running migration changes', () => {
    const a = lockSignature({ held: true, owner: 'o', executionId: 'e', current: { migrationId: 'm1', runId: 'r1', direction: 'up', startedAt: 1 } });
    const b = lockSignature({ held: true, owner: 'o', executionId: 'e', current: { migrationId: 'm2', runId: 'r2', direction: 'up', startedAt: 2 } });
    const same = lockSignature({ held: true, owner: 'o', executionId: 'e', current: { migrationId: 'm1', runId: 'r1', direction: 'up', startedAt: 1, output: 'more' } });
    expect(a).not.toBe(b);
    expect(a).toBe(same);
    expect(lockSignature({ held: false })).toBe('free');
    expect(lockSignature(undefined)).toBe('free');
  });
});

describe('table sorting and paging', () => {
  const rows = [
    { id: 'b', n: 2 },
    { id: 'a', n: undefined },
    { id: 'c', n: 10 },
    { id: 'd', n: 1 },
  ];
  it('sorts numbers numerically with missing values last, both ways', () => {
    expect(sortRows(rows, (r) => r.n, 'asc').map((r) => r.id).join('')).toBe('dbca');
    expect(sortRows(rows, (r) => r.n, 'desc').map((r) => r.id).join('')).toBe('cbda');
  });
  it('sorts strings', () => {
    expect(sortRows(rows, (r) => r.id, 'desc').map((r) => r.id).join('')).toBe('dcba');
  });
  it('pages', () => {
    const items = Array.from({ length: 26 }, (_, i) => i);
    expect(pageCount(26, 25)).toBe(2);
    expect(pageCount(0, 25)).toBe(1);
    expect(pageSlice(items, 1, 25)).toEqual([25]);
    expect(pageSlice(items, 9, 25)).toEqual([25]);
  });
});

describe('execution progress (planned vs finished)', () => {
  const batch: Pick<ExecutionBatch, 'planned'> = { planned: ['a', 'b', 'c'] };
  it('marks each planned migration by its latest run in the execution', () => {
    const items = planProgress(batch, [
      run({ id: 'a', status: 'completed', startedAt: 1 }),
      run({ id: 'b', status: 'interrupted', startedAt: 2 }),
      run({ id: 'b', status: 'completed', startedAt: 3, hop: 1 }),
    ]);
    expect(items).toEqual([
      { id: 'a', status: 'completed', planned: true },
      { id: 'b', status: 'completed', planned: true },
      { id: 'c', status: 'not_started', planned: true },
    ]);
    expect(countFinished(items)).toBe(2);
  });
  it('lists runs outside the plan after it', () => {
    const items = planProgress({ planned: [] }, [run({ id: 'x', status: 'failed' })]);
    expect(items).toEqual([{ id: 'x', status: 'failed', planned: false }]);
    expect(countFinished(items)).toBe(0);
  });
});

describe('JSON view', () => {
  it('pretty-prints with two spaces and survives bigint', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson({ big: BigInt(12) })).toContain('"big": "12"');
  });
  it('tokenizes keys, strings, numbers, booleans and null', () => {
    const kinds = tokenizeJson('{"k": "v", "n": -1.5e3, "t": true, "z": null}')
      .filter((t) => t.kind !== 'punct')
      .map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual(['key:"k"', 'string:"v"', 'key:"n"', 'number:-1.5e3', 'key:"t"', 'boolean:true', 'key:"z"', 'null:null']);
    expect(tokenizeJson('[1, 2]').map((t) => t.text).join('')).toBe('[1, 2]');
  });
});

describe('run details', () => {
  it('knows when a run has something to show', () => {
    expect(runHasDetails(run({}), false)).toBe(false);
    expect(runHasDetails(run({ error: 'boom' }), false)).toBe(true);
    expect(runHasDetails(run({ outputTruncated: true }), false)).toBe(true);
    expect(runHasDetails(run({ description: 'd' }), false)).toBe(false);
    expect(runHasDetails(run({ description: 'd' }), true)).toBe(true);
    expect(hasMetadata({})).toBe(false);
    expect(hasMetadata(null)).toBe(false);
    expect(hasMetadata({ a: 1 })).toBe(true);
    expect(hasMetadata(0)).toBe(true);
  });
});

describe('page helpers', () => {
  it('offers pending ids in run order and applied ids newest first', () => {
    const views: MigrationView[] = [
      { id: '1_a', name: 'a', status: 'completed', applied: true },
      { id: '2_b', name: 'b', status: 'rolled_back', applied: false },
      { id: '3_c', name: 'c', status: 'completed', applied: true, missing: true },
      { id: '4_d', name: 'd', status: 'pending', applied: false },
      { id: '5_e', name: 'e', status: 'pending', applied: false, missing: true },
    ];
    expect(dialogCandidates(views)).toEqual({ pending: ['2_b', '4_d'], applied: ['3_c', '1_a'] });
  });

  it('merges a refreshed first page with older loaded pages without duplicates', () => {
    const e = (id: string) => ({ executionId: id }) as ExecutionBatch;
    expect(mergeExecutions([e('new'), e('a')], [e('a'), e('b'), e('c')]).map((x) => x.executionId)).toEqual(['new', 'a', 'b', 'c']);
  });
});

describe('index.html', () => {
  it('carries exactly one token placeholder, no external resources', () => {
    const html = indexHtml;
    expect(html.match(/__AURIC_TOKEN__/g)?.length).toBe(1);
    expect(html).toContain('<meta name="auric-token" content="__AURIC_TOKEN__" />');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
