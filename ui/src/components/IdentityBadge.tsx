// The header's "which deployment is this": the environment (coloured by envTone) and the store.
import type { Identity } from '../api/types';
import { envTone } from '../lib/identity';

export function IdentityBadge({ identity }: { identity: Identity | undefined }) {
  if (!identity) return null;
  const tone = envTone(identity.env);
  const { store } = identity;
  const details = [store.profile && `AWS profile ${store.profile}`, store.endpoint && `endpoint ${store.endpoint}`]
    .filter(Boolean)
    .join(' · ');
  return (
    <div className={`identity env-${tone}`} data-testid="identity" title={details || undefined}>
      <span className="identity-env" data-testid="identity-env">
        {identity.env ? identity.env : 'no environment'}
      </span>
      <span className="identity-store mono" data-testid="identity-store">
        {store.label}
      </span>
    </div>
  );
}
