import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../src/api/types';
import { IdentityBadge } from '../src/components/IdentityBadge';
import { DEFAULT_TITLE, documentTitle, envTone, storeShortName } from '../src/lib/identity';

const prod: Identity = {
  store: { scheme: 'dynamodb', table: 'migrations-prod', region: 'eu-west-1', label: 'dynamodb: migrations-prod (eu-west-1)' },
  env: 'prod',
};
const local: Identity = { store: { scheme: 'sqlite', path: './app.db', label: 'sqlite: ./app.db' } };

describe('documentTitle', () => {
  it('names the environment and the store, so two tabs differ', () => {
    expect(documentTitle(prod)).toBe('prod · migrations-prod — auric');
    expect(documentTitle({ ...prod, env: 'staging', store: { ...prod.store, table: 'migrations-staging' } })).toBe(
      'staging · migrations-staging — auric',
    );
  });
  it('leaves out a missing environment and shortens a file to its name', () => {
    expect(documentTitle(local)).toBe('app.db — auric');
    expect(documentTitle({ store: { scheme: 'sqlite', path: '/srv/app/state/migrations.db', label: 'x' } })).toBe(
      'migrations.db — auric',
    );
    expect(documentTitle({ store: { scheme: 'memory', name: 'shared', label: 'memory: shared' } })).toBe('shared — auric');
    expect(storeShortName({ store: { scheme: 'memory', label: 'memory: (private to this process)' } })).toBe('memory');
  });
  it('keeps the default title until the identity is known', () => {
    expect(documentTitle(undefined)).toBe(DEFAULT_TITLE);
  });
});

describe('envTone', () => {
  it('colours production red, staging amber, development green', () => {
    for (const env of ['prod', 'production', 'PROD', 'prd', 'prod-eu', 'eu-prod', 'live']) expect(envTone(env)).toBe('prod');
    for (const env of ['staging', 'stage', 'stg', 'uat', 'preprod', 'eu-staging']) expect(envTone(env)).toBe('staging');
    for (const env of ['dev', 'development', 'local', 'test', 'sandbox']) expect(envTone(env)).toBe('dev');
    expect(envTone('reproduction')).toBe('other');
    expect(envTone('eu')).toBe('other');
    expect(envTone(undefined)).toBe('none');
    expect(envTone('')).toBe('none');
  });
});

describe('IdentityBadge', () => {
  it('shows the environment and the store label in the header', () => {
    const html = renderToStaticMarkup(<IdentityBadge identity={prod} />);
    expect(html).toContain('class="identity env-prod"');
    expect(html).toMatch(/data-testid="identity-env">prod</);
    expect(html).toMatch(/data-testid="identity-store">dynamodb: migrations-prod \(eu-west-1\)</);
  });
  it('says when there is no environment', () => {
    const html = renderToStaticMarkup(<IdentityBadge identity={local} />);
    expect(html).toContain('env-none');
    expect(html).toContain('no environment');
    expect(html).toContain('sqlite: ./app.db');
  });
  it('renders nothing until the identity is known', () => {
    expect(renderToStaticMarkup(<IdentityBadge identity={undefined} />)).toBe('');
  });
});
