import { Link } from 'react-router-dom';
import type { ActionResponse } from '../api/types';
import { shortId } from '../lib/format';

export function StartedNotice({ response, onDismiss }: { response: ActionResponse | null; onDismiss: () => void }) {
  if (!response) return null;
  return (
    <div className="banner banner-ok" role="status" data-testid="started-notice">
      <strong>{response.message}</strong>
      {response.executionId && (
        <Link to={`/executions/${encodeURIComponent(response.executionId)}`}>execution {shortId(response.executionId)} →</Link>
      )}
      <button type="button" className="icon-button banner-close" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
