import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import type { LockView, MigrationView, Progress, SegmentsView } from '../src/api/types';
import { BackfillJobs } from '../src/components/Backfill';
import { ProgressBar } from '../src/components/ProgressBar';
import { asProgress, formatCount, lockProgress, progressDisplay, rowProgress, segmentTitle, STALE_PROGRESS_MS } from '../src/lib/progress';

const NOW = 1_767_000_000_000;
const at = (done: number, total: number | null, ageMs = 3_000, unit = 'items'): Progress => ({
  done,
  total,
  unit,
  updatedAt: NOW - ageMs,
});

const bar = (progress: Progress, compact = false) =>
  renderToStaticMarkup(<ProgressBar progress={progress} label="Progress of m" compact={compact} now={NOW} />);

/** The attributes of the element with role="progressbar" in `html`. */
function progressbar(html: string): Record<string, string> {
  const tag = /<div[^>]*role="progressbar"[^>]*>/.exec(html);
  expect(tag, html).not.toBeNull();
  const attrs: Record<string, string> = {};
  for (const m of tag![0].matchAll(/([a-z-]+)="([^"]*)"/g)) attrs[m[1]] = m[2];
  return attrs;
}

describe('progressDisplay', () => {
  it('shows the percentage and the counts of a known total', () => {
    const d = progressDisplay(at(5_210, 10_000), NOW);
    expect(d.percent).toBe(52);
    expect(d.label).toBe('52% · 5,210/10,000 items');
    expect(d.age).toBe('updated 3s ago');
    expect(d.stale).toBe(false);
  });
  it('rounds down, so that 100% means done', () => {
    expect(progressDisplay(at(9_999, 10_000), NOW).percent).toBe(99);
    expect(progressDisplay(at(10_000, 10_000), NOW).percent).toBe(100);
  });
  it('shows only the count when the total is unknown', () => {
    const d = progressDisplay(at(5_210, null), NOW);
    expect(d.percent).toBeNull();
    expect(d.label).toBe('5,210 items');
  });
  it('reads a total of 0 as nothing to do: done', () => {
    const d = progressDisplay(at(0, 0), NOW);
    expect(d.percent).toBe(100);
    expect(d.label).toBe('100% · 0/0 items');
  });
  it('clamps done beyond the total to 100% and keeps the reported counts', () => {
    const d = progressDisplay(at(12, 10), NOW);
    expect(d.percent).toBe(100);
    expect(d.label).toBe('100% · 12/10 items');
    expect(progressDisplay(at(-5, 10), NOW).percent).toBe(0);
  });
  it('flags an old report and leaves out the unit when there is none', () => {
    const d = progressDisplay(at(1, 4, STALE_PROGRESS_MS + 15_000, ''), NOW);
    expect(d.stale).toBe(true);
    expect(d.age).toBe('updated 45s ago');
    expect(d.label).toBe('25% · 1/4');
    expect(progressDisplay({ done: 1, total: 2, unit: 'rows', updatedAt: 0 }, NOW).age).toBe('');
  });
  it('formats counts with thousands separators', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
  });
});

describe('ProgressBar', () => {
  it('is a progressbar with the percentage as its value', () => {
    const html = bar(at(5_210, 10_000));
    const attrs = progressbar(html);
    expect(attrs['aria-valuenow']).toBe('52');
    expect(attrs['aria-valuemin']).toBe('0');
    expect(attrs['aria-valuemax']).toBe('100');
    expect(attrs['aria-label']).toBe('Progress of m');
    expect(attrs['aria-valuetext']).toBe('52% · 5,210/10,000 items');
    expect(html).toContain('width:52%');
    expect(html).toContain('52% · 5,210/10,000 items</span>');
    expect(html).toContain('updated 3s ago');
  });
  it('is indeterminate with a count when the total is unknown', () => {
    const html = bar(at(5_210, null));
    const attrs = progressbar(html);
    expect(attrs['aria-valuenow']).toBeUndefined();
    expect(attrs.class).toContain('indeterminate');
    expect(attrs['aria-valuetext']).toBe('5,210 items');
    expect(html).not.toContain('progress-fill');
    expect(html).toContain('5,210 items</span>');
  });
  it('shows a full bar for a total of 0 and for done beyond the total', () => {
    expect(progressbar(bar(at(0, 0)))['aria-valuenow']).toBe('100');
    const over = bar(at(12, 10));
    expect(progressbar(over)['aria-valuenow']).toBe('100');
    expect(over).toContain('width:100%');
    expect(over).not.toContain('width:120%');
  });
  it('keeps the age in the tooltip when compact, and marks a stale report', () => {
    const compact = bar(at(20, 40), true);
    expect(compact).toContain('progress-compact');
    expect(compact).toContain('title="50% · 20/40 items · updated 3s ago"');
    expect(compact).not.toContain('data-testid="progress-age"');
    expect(bar(at(20, 40, STALE_PROGRESS_MS + 1_000))).toContain('progress-stale');
    expect(bar(at(20, 40))).not.toContain('progress-stale');
  });
});

describe('which progress a row shows', () => {
  const lock: LockView = {
    held: true,
    current: { migrationId: 'b', runId: 'r', direction: 'up', startedAt: NOW - 10_000, progress: at(30, 40, 500) },
  };
  const row = (id: string, status: MigrationView['status'], progress?: Progress): MigrationView => ({
    id,
    name: id,
    status,
    applied: false,
    progress,
  });
  it('prefers the lock (polled every 2 s) over the list row', () => {
    expect(rowProgress(row('b', 'running', at(20, 40)), lock)?.done).toBe(30);
    expect(lockProgress(lock, 'b')?.done).toBe(30);
  });
  it('falls back to the row while the lock names another migration or none', () => {
    expect(rowProgress(row('a', 'running', at(20, 40)), lock)?.done).toBe(20);
    expect(rowProgress(row('a', 'running', at(20, 40)), { held: false })?.done).toBe(20);
    expect(lockProgress({ ...lock, held: false }, 'b')).toBeUndefined();
  });
  it('shows no bar on a row that is not running', () => {
    expect(rowProgress(row('b', 'completed', at(40, 40)), lock)).toBeUndefined();
    expect(rowProgress(row('c', 'pending'), lock)).toBeUndefined();
  });
  it('accepts only something shaped like a progress', () => {
    expect(asProgress(undefined)).toBeUndefined();
    expect(asProgress({ total: 3 })).toBeUndefined();
    expect(asProgress({ done: 3 })).toEqual({ done: 3, total: null, unit: '', updatedAt: 0 });
  });
});

const SEGMENTS: SegmentsView = {
  migrationId: '20250301000000_backfill-orders',
  running: true,
  jobs: [
    {
      name: 'orders',
      jobId: '0f8e6a4c-1111-2222-3333-444455556666',
      totalSegments: 4,
      states: { pending: 1, running: 1, done: 1, failed: 1 },
      totals: { scanned: 12_000, written: 11_900, skipped: 90, failed: 10 },
      segments: [
        { segment: 0, totalSegments: 4, state: 'done', scanned: 5_000, written: 5_000, skipped: 0, failed: 0, updatedAt: NOW - 60_000 },
        {
          segment: 1,
          totalSegments: 4,
          state: 'running',
          scanned: 4_000,
          written: 3_910,
          skipped: 90,
          failed: 0,
          updatedAt: NOW - 2_000,
          owner: 'threads/host:1:abc/1',
        },
        { segment: 2, totalSegments: 4, state: 'failed', scanned: 3_000, written: 2_990, skipped: 0, failed: 10, updatedAt: NOW - 30_000 },
        { segment: 3, totalSegments: 4, state: 'pending', scanned: 0, written: 0, skipped: 0, failed: 0, updatedAt: 0 },
      ],
    },
    {
      name: 'customers',
      jobId: 'aaaa0000-bbbb-cccc-dddd-eeeeffff0000',
      totalSegments: 2000,
      states: { pending: 0, running: 0, done: 2000, failed: 0 },
      totals: { scanned: 1_000_000, written: 1_000_000, skipped: 0, failed: 0 },
      segments: Array.from({ length: 3 }, (_, i) => ({
        segment: i,
        totalSegments: 2000,
        state: 'done',
        scanned: 500,
        written: 500,
        skipped: 0,
        failed: 0,
        updatedAt: NOW - 5_000,
      })),
      segmentsTruncated: true,
    },
  ],
};

describe('BackfillJobs', () => {
  const html = renderToStaticMarkup(<BackfillJobs view={SEGMENTS} now={NOW} />);
  const jobs = html.split('data-testid="backfill-job"').slice(1);

  it('renders one block per job with a bar of the segments done', () => {
    expect(html).toContain('data-testid="backfill"');
    expect(html).toContain('<h2>Backfill</h2>');
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toContain('<h3 class="mono">orders</h3>');
    expect(progressbar(jobs[0])['aria-valuenow']).toBe('25');
    expect(jobs[0]).toContain('25% · 1/4 segments done');
    // The newest segment report dates the job's bar.
    expect(jobs[0]).toContain('updated 2s ago');
    expect(progressbar(jobs[1])['aria-valuenow']).toBe('100');
    expect(jobs[1]).toContain('100% · 2,000/2,000 segments done');
  });
  it('shows the totals and the count of each state', () => {
    expect(jobs[0]).toContain('<dt>scanned</dt><dd data-count="scanned">12,000</dd>');
    expect(jobs[0]).toContain('<dt>written</dt><dd data-count="written">11,900</dd>');
    expect(jobs[0]).toContain('<dt>skipped</dt><dd data-count="skipped">90</dd>');
    expect(jobs[0]).toContain('<dt>failed</dt><dd data-count="failed">10</dd>');
    expect(jobs[0]).toContain('has-failed');
    expect(jobs[1]).not.toContain('has-failed');
    for (const state of ['pending', 'running', 'done', 'failed']) expect(jobs[0]).toContain(`</span>1 ${state}</span>`);
    expect(jobs[1]).toContain('</span>2,000 done</span>');
  });
  it('draws one cell per segment, coloured by state, with its counts as the tooltip', () => {
    const cells = [...jobs[0].matchAll(/<li class="seg seg-([a-z]+)" data-state="([a-z]+)" title="([^"]*)"/g)];
    expect(cells.map((c) => c[1])).toEqual(['done', 'running', 'failed', 'pending']);
    expect(cells.map((c) => c[2])).toEqual(['done', 'running', 'failed', 'pending']);
    expect(cells[1][3]).toBe(
      'segment 1 (of 4): running · scanned 4,000 · written 3,910 · skipped 90 · failed 0 · worker threads/host:1:abc/1 · updated 2s ago',
    );
    expect(cells[3][3]).toBe('segment 3 (of 4): pending · scanned 0 · written 0 · skipped 0 · failed 0');
  });
  it('says when the segment list was cut, and only then', () => {
    expect(jobs[0]).not.toContain('segments-truncated');
    expect(jobs[1]).toContain('data-testid="segments-truncated"');
    expect(jobs[1]).toContain('Showing 3 of 2,000 segments; the counts above cover all of them.');
    expect([...jobs[1].matchAll(/<li class="seg /g)]).toHaveLength(3);
  });
  it('renders nothing without jobs', () => {
    expect(renderToStaticMarkup(<BackfillJobs view={{ ...SEGMENTS, jobs: [] }} now={NOW} />)).toBe('');
    expect(renderToStaticMarkup(<BackfillJobs view={null} now={NOW} />)).toBe('');
  });
  it('marks a state it does not know instead of colouring it as another', () => {
    const odd = { ...SEGMENTS, jobs: [{ ...SEGMENTS.jobs[0], segments: [{ ...SEGMENTS.jobs[0].segments[0], state: 'paused' }] }] };
    expect(renderToStaticMarkup(<BackfillJobs view={odd} now={NOW} />)).toContain('class="seg seg-unknown" data-state="paused"');
  });
  it('flags an old report only while the backfill runs', () => {
    const old = (running: boolean) => ({
      ...SEGMENTS,
      running,
      jobs: [{ ...SEGMENTS.jobs[0], segments: SEGMENTS.jobs[0].segments.map((s) => ({ ...s, updatedAt: NOW - 3_600_000 })) }],
    });
    expect(renderToStaticMarkup(<BackfillJobs view={old(true)} now={NOW} />)).toContain('progress-stale');
    const finished = renderToStaticMarkup(<BackfillJobs view={old(false)} now={NOW} />);
    expect(finished).not.toContain('progress-stale');
    expect(finished).toContain('updated 1h ago');
  });
  it('titles a segment the way the store numbers it', () => {
    expect(segmentTitle(SEGMENTS.jobs[0].segments[0], NOW)).toBe(
      'segment 0 (of 4): done · scanned 5,000 · written 5,000 · skipped 0 · failed 0 · updated 1m ago',
    );
  });
});

describe('ApiClient.segments', () => {
  it('GETs the segments route of the migration, its id encoded', async () => {
    const urls: string[] = [];
    const client = new ApiClient({
      fetch: async (input) => {
        urls.push(String(input));
        return new Response(JSON.stringify(SEGMENTS), { status: 200 });
      },
    });
    const answer = await client.segments('2025 x/y');
    expect(urls).toEqual(['/api/migrations/2025%20x%2Fy/segments']);
    expect(answer?.jobs).toHaveLength(2);
    expect(answer?.running).toBe(true);
  });
  it('answers null for a migration the server does not know (404)', async () => {
    const client = new ApiClient({
      fetch: async () => new Response(JSON.stringify({ error: 'Migration not found' }), { status: 404 }),
    });
    expect(await client.segments('nope')).toBeNull();
  });
  it('reads an answer without a jobs array as no jobs', async () => {
    const client = new ApiClient({ fetch: async () => new Response('[]', { status: 200 }) });
    expect((await client.segments('a'))?.jobs).toEqual([]);
  });
  it('still reports other errors', async () => {
    const client = new ApiClient({ fetch: async () => new Response('{"error":"store down"}', { status: 500 }) });
    await expect(client.segments('a')).rejects.toThrow('store down');
  });
});
