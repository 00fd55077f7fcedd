// Which deployment a dashboard shows (GET /api/identity), as the header, the page title and an
// accent colour, so that a prod tab and a staging tab never look alike. Pure.
import type { Identity } from '../api/types';

export const DEFAULT_TITLE = 'Migrations Dashboard';

/** The store's short name: the table, the file's base name, the memory store's name, else the scheme. */
export function storeShortName(identity: Identity): string {
  const s = identity.store;
  if (s.table) return s.table;
  if (s.path) {
    const parts = s.path.split('/').filter(Boolean);
    return parts[parts.length - 1] ?? s.path;
  }
  if (s.name) return s.name;
  return s.scheme || 'store';
}

/** "prod · migrations-prod — auric", "app.db — auric"; the default title while unknown. */
export function documentTitle(identity: Identity | undefined): string {
  if (!identity) return DEFAULT_TITLE;
  const store = storeShortName(identity);
  return identity.env ? `${identity.env} · ${store} — auric` : `${store} — auric`;
}

export type EnvTone = 'prod' | 'staging' | 'dev' | 'other' | 'none';

/** The accent of an environment name: production red, staging amber, development green. */
export function envTone(env: string | undefined): EnvTone {
  if (!env) return 'none';
  const name = env.toLowerCase();
  if (/^(prod|production|prd|live)([-_.]|$)/.test(name) || /[-_.](prod|production|prd|live)$/.test(name)) return 'prod';
  if (/^(stag|staging|stage|stg|preprod|pre-prod|uat|qa)([-_.]|$)/.test(name) || /[-_.](staging|stage|stg)$/.test(name)) {
    return 'staging';
  }
  if (/^(dev|develop|development|local|test|testing|sandbox)([-_.]|$)/.test(name)) return 'dev';
  return 'other';
}
