// The page of an id that is neither in this binary nor in the store: it says only that (an
// unknown migration has no "never run" history), with a way back and a "did you mean".
import { Link } from 'react-router-dom';
import { suggestIds } from '../lib/suggest';

export function UnknownMigration({ id, knownIds }: { id: string; knownIds: readonly string[] }) {
  const suggestions = suggestIds(id, knownIds);
  return (
    <section className="card unknown-migration" data-testid="unknown-migration">
      <span className="eyebrow">Migration</span>
      <h1>Unknown migration</h1>
      <p>
        No migration with the id <code className="mono title-break">{id}</code> is part of this binary or recorded in
        the store.
      </p>
      {suggestions.length > 0 && (
        <div data-testid="did-you-mean">
          <span className="muted">Did you mean</span>
          <ul className="suggestions">
            {suggestions.map((s) => (
              <li key={s}>
                <Link to={`/migrations/${encodeURIComponent(s)}`} className="mono">
                  {s}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <Link className="btn" to="/migrations">
          ← All migrations
        </Link>
      </div>
    </section>
  );
}
