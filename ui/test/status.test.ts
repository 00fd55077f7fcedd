import { describe, expect, it } from 'vitest';
import type { MigrationView } from '../src/api/types';
import { matchesFilter, matchesSearch, statusDisplay, summaryBucket } from '../src/lib/status';

function view(partial: Partial<MigrationView>): MigrationView {
  return { id: '20240101000000_x', name: 'x', status: 'pending', applied: false, ...partial };
}

describe('statusDisplay', () => {
  it.each([
    ['completed', 'completed', 'ok', '✓'],
    ['pending', 'pending', 'muted', '○'],
    ['rolled_back', 'rolled back', 'muted', '○'],
    ['running', 'running', 'info', '●'],
    ['failed', 'failed', 'danger', '✗'],
    ['interrupted', 'interrupted', 'danger', '✗'],
    ['needs_continuation', 'continuing', 'info', '↻'],
    ['suspended', 'suspended', 'warn', '◑'],
  ])('%s → %s / %s / %s', (status, label, tone, icon) => {
    expect(statusDisplay(status)).toEqual({ label, tone, icon });
  });

  it('keeps interrupted distinct from failed', () => {
    expect(statusDisplay('interrupted').label).not.toBe(statusDisplay('failed').label);
  });

  it('shows an unknown status as itself, greyed', () => {
    expect(statusDisplay('rolling_back')).toEqual({ label: 'rolling back', tone: 'muted', icon: '?' });
    expect(statusDisplay(undefined).label).toBe('unknown');
    expect(statusDisplay('toString').label).toBe('toString');
  });
});

describe('filters', () => {
  const rows = [
    view({ id: 'a', status: 'pending' }),
    view({ id: 'b', status: 'rolled_back', direction: 'down' }),
    view({ id: 'c', status: 'completed', applied: true }),
    view({ id: 'd', status: 'running' }),
    view({ id: 'e', status: 'failed' }),
    view({ id: 'f', status: 'interrupted' }),
    view({ id: 'g', status: 'completed', applied: true, drift: true }),
    view({ id: 'h', status: 'pending', outOfOrder: true }),
    view({ id: 'i', status: 'completed', applied: true, missing: true }),
  ];
  const ids = (filter: Parameters<typeof matchesFilter>[1]) => rows.filter((r) => matchesFilter(r, filter)).map((r) => r.id).join('');

  it('groups statuses', () => {
    expect(ids('all')).toBe('abcdefghi');
    expect(ids('pending')).toBe('abh');
    expect(ids('completed')).toBe('cgi');
    expect(ids('running')).toBe('d');
    expect(ids('failed')).toBe('ef');
    expect(ids('attention')).toBe('efghi');
  });

  it('searches id and name, case-insensitively', () => {
    const m = view({ id: '20240105093000_create_users_table', name: 'create_users_table' });
    expect(matchesSearch(m, 'USERS')).toBe(true);
    expect(matchesSearch(m, '20240105')).toBe(true);
    expect(matchesSearch(m, 'orders')).toBe(false);
    expect(matchesSearch(m, '   ')).toBe(true);
  });
});

describe('summaryBucket', () => {
  it('counts rolled back as pending and interrupted as failed', () => {
    expect(summaryBucket('rolled_back')).toBe('pending');
    expect(summaryBucket('pending')).toBe('pending');
    expect(summaryBucket('interrupted')).toBe('failed');
    expect(summaryBucket('failed')).toBe('failed');
    expect(summaryBucket('completed')).toBe('completed');
    expect(summaryBucket('running')).toBe('running');
    expect(summaryBucket('suspended')).toBe('suspended');
  });
});
