import { useEffect } from 'react';
import { NavLink, Outlet, useRouteError, Link } from 'react-router-dom';
import { documentTitle, envTone } from '../lib/identity';
import { useApi, useClient } from '../lib/hooks';
import { SignOutButton } from './Auth';
import { IdentityBadge } from './IdentityBadge';
import { LockIndicator } from './LiveRun';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/migrations', label: 'Migrations', end: false },
  { to: '/executions', label: 'Executions', end: false },
];

export function Layout() {
  const client = useClient();
  // Once per page load: which store and environment this is (older servers: none).
  const identity = useApi((signal) => client.identity(signal), ['identity']).data;
  useEffect(() => {
    document.title = documentTitle(identity);
  }, [identity]);
  return (
    <div className="app" data-env-tone={envTone(identity?.env)}>
      <header className="sidebar">
        <div className="sidebar-inner">
          <Link to="/" className="brand" aria-label="auric migrations home">
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>
            <span className="brand-text">
              Migrations <span className="brand-sub">auric</span>
            </span>
          </Link>
          <IdentityBadge identity={identity} />
          <nav className="nav" aria-label="Main">
            {NAV.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.end} className={({ isActive }) => (isActive ? 'active' : undefined)}>
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="sidebar-foot">
            <LockIndicator />
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}

export function RouteError() {
  const error = useRouteError() as { message?: string; statusText?: string } | undefined;
  return (
    <div className="app">
      <main className="content">
        <div className="page-error">
          <h1>Something went wrong</h1>
          <p className="muted">{error?.message || error?.statusText || 'Unexpected error'}</p>
          <a className="btn" href="/">
            Return to the overview
          </a>
        </div>
      </main>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page-error">
      <h1>Page not found</h1>
      <p className="muted">There is no dashboard page at this address.</p>
      <Link className="btn" to="/">
        Return to the overview
      </Link>
    </div>
  );
}
