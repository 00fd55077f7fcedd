// Small presentational pieces.
import type { ReactNode } from 'react';
import type { Direction } from '../api/types';
import { formatDateTime, timeAgo } from '../lib/format';
import { useNow } from '../lib/hooks';
import { statusDisplay } from '../lib/status';

export function StatusBadge({ status }: { status: string | undefined }) {
  const display = statusDisplay(status);
  return (
    <span className={`badge tone-${display.tone}`} data-status={status}>
      <span className={display.tone === 'info' && status === 'running' ? 'icon pulse' : 'icon'} aria-hidden="true">
        {display.icon}
      </span>
      {display.label}
    </span>
  );
}

/** How a run or execution came about, when it is not a normal `up`/`down` ("manual"). */
export function KindBadge({ kind }: { kind: string | undefined }) {
  if (!kind) return null;
  const title =
    kind === 'manual' ? 'Recorded by an operations command (baseline, mark, repair), not by up/down' : `Recorded as ${kind}`;
  return (
    <span className={`badge kind-${kind}`} data-kind={kind} title={title}>
      {kind}
    </span>
  );
}

export function DirectionPill({ direction }: { direction: Direction | undefined }) {
  if (!direction) return <span className="muted">-</span>;
  return (
    <span className={`pill dir-${direction}`} title={direction === 'up' ? 'migrate (up)' : 'roll back (down)'}>
      {direction === 'up' ? '↑ up' : '↓ down'}
    </span>
  );
}

export function TimeAgo({ ts }: { ts: number | undefined | null }) {
  const now = useNow();
  if (!ts) return <span className="muted">-</span>;
  return (
    <time dateTime={new Date(ts).toISOString()} title={formatDateTime(ts)}>
      {timeAgo(ts, now)}
    </time>
  );
}

export function Flag({ kind, children }: { kind: 'warn' | 'danger' | 'muted'; children: ReactNode }) {
  return <span className={`flag flag-${kind}`}>{children}</span>;
}

export function ErrorBanner({ error, title }: { error: Error | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <strong>{title ?? 'Could not load data'}</strong>
      <span>{error.message}</span>
    </div>
  );
}

export function Card({ title, children, actions }: { title?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card">
      {(title || actions) && (
        <div className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{children}</div>
    </div>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="skeleton" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton-line" />
      ))}
    </div>
  );
}
