// Status → label, tone and glyph. One table for migrations, runs and executions:
//   completed → green ✓; pending / rolled back → grey ○; running → blue; failed → red ✗;
//   interrupted → red ✗ with its own label; needs continuation → blue (a Lambda hop is due);
//   suspended → yellow ◑ (saved a checkpoint and stopped: not a failure, `up` resumes it).
import type { ExecutionStatus, MigrationStatus, MigrationView, RunStatus } from '../api/types';

export type AnyStatus = MigrationStatus | RunStatus | ExecutionStatus;
export type Tone = 'ok' | 'muted' | 'info' | 'warn' | 'danger';

export interface StatusDisplay {
  label: string;
  tone: Tone;
  icon: string;
}

const TABLE: Record<AnyStatus, StatusDisplay> = {
  completed: { label: 'completed', tone: 'ok', icon: '✓' },
  pending: { label: 'pending', tone: 'muted', icon: '○' },
  rolled_back: { label: 'rolled back', tone: 'muted', icon: '○' },
  running: { label: 'running', tone: 'info', icon: '●' },
  needs_continuation: { label: 'continuing', tone: 'info', icon: '↻' },
  failed: { label: 'failed', tone: 'danger', icon: '✗' },
  interrupted: { label: 'interrupted', tone: 'danger', icon: '✗' },
  suspended: { label: 'suspended', tone: 'warn', icon: '◑' },
};

export function statusDisplay(status: string | undefined | null): StatusDisplay {
  if (status && Object.prototype.hasOwnProperty.call(TABLE, status)) return TABLE[status as AnyStatus];
  return { label: status ? String(status).replace(/_/g, ' ') : 'unknown', tone: 'muted', icon: '?' };
}

/** Filter groups of the Migrations page. */
export type StatusFilter = 'all' | 'pending' | 'completed' | 'running' | 'suspended' | 'failed' | 'attention';

export const STATUS_FILTERS: { key: StatusFilter; label: string }[] = [
  { key: 'all', label: 'All' },
  { key: 'pending', label: 'Pending' },
  { key: 'completed', label: 'Completed' },
  { key: 'running', label: 'Running' },
  { key: 'suspended', label: 'Suspended' },
  { key: 'failed', label: 'Failed' },
  { key: 'attention', label: 'Needs attention' },
];

/** Pending includes rolled back; failed includes interrupted; attention = drift, missing, out of order, failed. */
export function matchesFilter(migration: MigrationView, filter: StatusFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'pending':
      return migration.status === 'pending' || migration.status === 'rolled_back';
    case 'completed':
      return migration.status === 'completed';
    case 'running':
      return migration.status === 'running';
    case 'suspended':
      return migration.status === 'suspended';
    case 'failed':
      return migration.status === 'failed' || migration.status === 'interrupted';
    case 'attention':
      return Boolean(migration.drift || migration.missing || migration.outOfOrder) || matchesFilter(migration, 'failed');
  }
}

export function matchesSearch(migration: MigrationView, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return migration.id.toLowerCase().includes(q) || (migration.name ?? '').toLowerCase().includes(q);
}

/** The summary bucket a migration status counts in (same rule as GET /api/migrations/summary). */
export function summaryBucket(status: MigrationStatus): 'pending' | 'completed' | 'failed' | 'running' | 'suspended' {
  switch (status) {
    case 'completed':
      return 'completed';
    case 'running':
      return 'running';
    case 'failed':
    case 'interrupted':
      return 'failed';
    case 'suspended':
      return 'suspended';
    case 'pending':
    case 'rolled_back':
      return 'pending';
  }
}
