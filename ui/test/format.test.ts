import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatHolder, formatWho, plural, shortId, timeAgo } from '../src/lib/format';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('timeAgo', () => {
  it.each([
    [30 * S, '30s ago'],
    [5 * M, '5m ago'],
    [3 * H, '3h ago'],
    [5 * D, '5d ago'],
    [90 * D, '3mo ago'],
    [400 * D, '1y ago'],
    [800 * D, '2y ago'],
    [59 * S + 999, '59s ago'],
    [29 * D, '29d ago'],
    [364 * D, '12mo ago'],
  ])('%i ms ago → %s', (diff, expected) => {
    expect(timeAgo(NOW - diff, NOW)).toBe(expected);
  });

  it('gives "just now" for the future and under a second', () => {
    expect(timeAgo(NOW + 5 * M, NOW)).toBe('just now');
    expect(timeAgo(NOW - 400, NOW)).toBe('just now');
    expect(timeAgo(NOW, NOW)).toBe('just now');
  });

  it('gives "-" for a missing time', () => {
    expect(timeAgo(undefined, NOW)).toBe('-');
    expect(timeAgo(0, NOW)).toBe('-');
  });
});

describe('formatDuration', () => {
  it.each([
    [undefined, '-'],
    [null, '-'],
    [0, '0ms'],
    [450, '450ms'],
    [999, '999ms'],
    [1000, '1.00s'],
    [2500, '2.50s'],
    [45_000, '45.0s'],
    [125_000, '2m 5s'],
    [60_000, '1m 0s'],
    [3_600_000, '1h 0m'],
    [3_725_000, '1h 2m'],
  ])('%s → %s', (ms, expected) => {
    expect(formatDuration(ms as number | undefined | null)).toBe(expected);
  });

  it('never prints 60.0s, 10.00s or 1m 60s at unit boundaries', () => {
    expect(formatDuration(59_960)).toBe('1m 0s');
    expect(formatDuration(9_999)).toBe('10.0s');
    expect(formatDuration(119_600)).toBe('2m 0s');
    expect(formatDuration(3_599_700)).toBe('1h 0m');
  });

  it('rejects negative and non-finite values', () => {
    expect(formatDuration(-5)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});

describe('formatDateTime', () => {
  it('formats local time as YYYY-MM-DD HH:MM:SS', () => {
    const ts = new Date(2024, 0, 2, 3, 4, 5).getTime();
    expect(formatDateTime(ts)).toBe('2024-01-02 03:04:05');
    expect(formatDateTime(undefined)).toBe('-');
  });
});

describe('who and holder', () => {
  it('formats a local user', () => {
    expect(formatWho({ user: 'maria', host: 'mbp', pid: 42 })).toBe('maria@mbp (pid 42)');
  });
  it('names the Lambda request or ECS task', () => {
    expect(formatWho({ lambdaRequestId: '6f1c2d3e-9a8b' })).toBe('Lambda request 6f1c2d3e');
    expect(formatWho({ ecsTaskArn: 'arn:aws:ecs:eu-west-1:1:task/cluster/abc123' })).toBe('ECS task abc123');
  });
  it('falls back to the AWS principal, then to nothing', () => {
    expect(formatWho({ awsPrincipal: 'arn:aws:sts::1:assumed-role/r/s' })).toBe('arn:aws:sts::1:assumed-role/r/s');
    expect(formatWho(undefined)).toBe('');
  });
  it('describes a lock holder object, a string, or nothing', () => {
    expect(
      formatHolder({
        held: true,
        who: { user: 'tom', host: 'devbox' },
        executionId: '0123456789abcdef',
        current: { migrationId: '20240101000000_a', runId: 'r', direction: 'down', startedAt: 1 },
      }),
    ).toBe('tom@devbox, running 20240101000000_a (down), execution 01234567');
    expect(formatHolder({ held: true, owner: 'host:1:abc' })).toBe('host:1:abc');
    expect(formatHolder('ci-runner')).toBe('ci-runner');
    expect(formatHolder(undefined)).toBe('another run');
  });
});

describe('small helpers', () => {
  it('pluralises', () => {
    expect(plural(1, 'migration')).toBe('1 migration');
    expect(plural(0, 'migration')).toBe('0 migrations');
    expect(plural(3, 'migration')).toBe('3 migrations');
  });
  it('shortens ids', () => {
    expect(shortId('0123456789')).toBe('01234567');
    expect(shortId('abc')).toBe('abc');
    expect(shortId(undefined)).toBe('-');
  });
});
