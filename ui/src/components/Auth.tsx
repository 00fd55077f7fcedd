// Sign-in for a deployed dashboard API that requires `Authorization: Bearer <token>`. Shown
// when any request answers 401; the token is kept in sessionStorage only (gone when the tab
// closes) and the app's data is reloaded once it is set.
import { useEffect, useState, type ReactNode } from 'react';
import { useClient } from '../lib/hooks';

export function AuthGate({ children }: { children: (authVersion: number) => ReactNode }) {
  const client = useClient();
  const [needed, setNeeded] = useState<null | 'required' | 'rejected'>(null);
  const [version, setVersion] = useState(0);
  const [value, setValue] = useState('');

  useEffect(() => client.onAuthRequired((reason) => setNeeded(reason)), [client]);

  return (
    <>
      {children(version)}
      {needed && (
        <div className="signin-backdrop">
          <form
            className="signin"
            aria-labelledby="signin-title"
            onSubmit={(event) => {
              event.preventDefault();
              if (!value.trim()) return;
              client.setAccessToken(value);
              setValue('');
              setNeeded(null);
              setVersion((v) => v + 1);
            }}
          >
            <h2 id="signin-title">Sign in</h2>
            <p className="muted">
              {needed === 'rejected'
                ? 'The access token was not accepted. Enter a valid one.'
                : 'This dashboard API requires an access token.'}{' '}
              It is kept for this browser tab only.
            </p>
            <label className="field">
              <span>Access token</span>
              <input
                className="input"
                type="password"
                name="access-token"
                autoComplete="off"
                spellCheck={false}
                autoFocus
                value={value}
                onChange={(event) => setValue(event.target.value)}
              />
            </label>
            <div className="dialog-actions">
              <button type="submit" className="btn btn-primary" disabled={!value.trim()}>
                Sign in
              </button>
            </div>
          </form>
        </div>
      )}
    </>
  );
}

export function SignOutButton() {
  const client = useClient();
  if (!client.getAccessToken()) return null;
  return (
    <button
      type="button"
      className="btn btn-small btn-ghost"
      onClick={() => {
        client.setAccessToken(null);
        window.location.reload();
      }}
    >
      Sign out
    </button>
  );
}
