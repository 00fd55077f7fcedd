import { NavLink, Outlet, useRouteError, Link } from 'react-router-dom';
import { SignOutButton } from './Auth';
import { LockIndicator } from './LiveRun';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/migrations', label: 'Migrations', end: false },
  { to: '/executions', label: 'Executions', end: false },
];

export function Layout() {
  return (
    <div className="app">
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
