// Pure formatters shared by every page (and unit-tested in test/format.test.ts).
import type { LockView, Who } from '../api/types';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** `just now` (under a second, or in the future), `30s ago`, `5m ago`, `3h ago`, `5d ago`, `3mo ago`, `1y ago`. */
export function timeAgo(timestamp: number | undefined | null, now: number = Date.now()): string {
  if (timestamp === undefined || timestamp === null || !Number.isFinite(timestamp) || timestamp <= 0) return '-';
  const diff = now - timestamp;
  if (diff < SECOND) return 'just now';
  if (diff < MINUTE) return `${Math.floor(diff / SECOND)}s ago`;
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)}m ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)}h ago`;
  if (diff < MONTH) return `${Math.floor(diff / DAY)}d ago`;
  if (diff < YEAR) return `${Math.floor(diff / MONTH)}mo ago`;
  return `${Math.floor(diff / YEAR)}y ago`;
}

/**
 * `-` (unknown), `450ms`, `2.50s` (under 10 s), `45.0s` (under a minute), `2m 5s`, `1h 2m`.
 * Rounding never produces `60.0s` or `1m 60s`: a value that rounds up to the next unit is
 * shown in that unit.
 */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < SECOND) return `${Math.round(ms)}ms`;
  if (ms < 10 * SECOND) {
    const seconds = Math.round(ms / 10) / 100;
    if (seconds < 10) return `${seconds.toFixed(2)}s`;
  }
  if (ms < MINUTE) {
    const seconds = Math.round(ms / 100) / 10;
    if (seconds < 60) return `${seconds.toFixed(1)}s`;
  }
  const totalSeconds = Math.round(ms / SECOND);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${totalSeconds % 60}s`;
  const totalMinutes = Math.round(ms / MINUTE);
  return `${Math.floor(totalMinutes / 60)}h ${totalMinutes % 60}m`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Local `YYYY-MM-DD HH:MM:SS` (used as the tooltip of relative times). */
export function formatDateTime(timestamp: number | undefined | null): string {
  if (timestamp === undefined || timestamp === null || !Number.isFinite(timestamp) || timestamp <= 0) return '-';
  const d = new Date(timestamp);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** First 8 characters of an execution or run id. */
export function shortId(id: string | undefined | null): string {
  if (!id) return '-';
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** `alice@build-01 (pid 4242)`, else the AWS principal, Lambda request or ECS task. */
export function formatWho(who: Who | undefined | null): string {
  if (!who) return '';
  const parts: string[] = [];
  if (who.user && who.host) parts.push(`${who.user}@${who.host}`);
  else if (who.user) parts.push(who.user);
  else if (who.host) parts.push(who.host);
  if (who.pid) parts.push(`(pid ${who.pid})`);
  let text = parts.join(' ');
  const where = who.ecsTaskArn
    ? `ECS task ${who.ecsTaskArn.split('/').pop()}`
    : who.lambdaRequestId
      ? `Lambda request ${shortId(who.lambdaRequestId)}`
      : '';
  if (where) text = text ? `${text}, ${where}` : where;
  if (!text && who.awsPrincipal) text = who.awsPrincipal;
  return text;
}

/** One line describing a lock holder: a LockView, a bare owner string, or anything else. */
export function formatHolder(holder: unknown): string {
  if (holder === undefined || holder === null || holder === '') return 'another run';
  if (typeof holder === 'string') return holder;
  if (typeof holder === 'object') {
    const lock = holder as LockView;
    const who = formatWho(lock.who);
    const base = who || lock.owner || 'another run';
    const bits: string[] = [];
    if (lock.current?.migrationId) bits.push(`running ${lock.current.migrationId} (${lock.current.direction})`);
    if (lock.executionId) bits.push(`execution ${shortId(lock.executionId)}`);
    return bits.length ? `${base}, ${bits.join(', ')}` : base;
  }
  return String(holder);
}

/** `1 migration`, `3 migrations`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
