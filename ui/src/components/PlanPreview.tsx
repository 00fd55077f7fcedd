// What a Run / Rollback dialog shows of the server's plan: loading, the error, or the list in
// run order with its warnings, and a refusal (drift, out of order) when the server says the
// run would not be allowed. Presentational only, so it renders without a server.
import type { Direction, Plan, RunRefusal } from '../api/types';
import { focusWarnings, planHeadline, refusalHeading } from '../lib/plan';

export interface PlanPreviewProps {
  direction: Direction;
  valid: boolean;
  loading: boolean;
  error: string | null;
  /** The plan, only when it belongs to exactly the parameters the dialog will send. */
  plan: Plan | null;
  focusId?: string;
}

export function RefusalBanner({ refusal }: { refusal: RunRefusal }) {
  return (
    <div className="banner banner-danger" role="alert" data-testid="plan-refusal" data-code={refusal.code}>
      <strong>{refusalHeading(refusal.code)}</strong>
      <span className="pre">{refusal.message}</span>
      {refusal.ids.length > 0 && (
        <ul className="refusal-ids">
          {refusal.ids.map((id) => (
            <li key={id}>
              <code>{id}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function PlanPreview({ direction, valid, loading, error, plan, focusId }: PlanPreviewProps) {
  const migrations = plan ? plan.migrations : [];
  const warnings = plan ? focusWarnings(direction, migrations, focusId) : [];
  return (
    <div className="plan" aria-live="polite" data-testid="plan">
      {!valid ? (
        <p className="muted">Enter a whole number of migrations (1 or more).</p>
      ) : loading ? (
        <p className="muted">Loading the plan…</p>
      ) : error ? (
        <div className="banner banner-danger" role="alert">
          <strong>No plan</strong>
          <span>{error}</span>
        </div>
      ) : plan ? (
        <>
          {plan.refusal && <RefusalBanner refusal={plan.refusal} />}
          <p className="plan-headline" data-testid="plan-headline">
            {planHeadline(direction, migrations)}
            {migrations.length ? ':' : '.'}
          </p>
          {migrations.length > 0 && (
            <ol className="plan-list">
              {migrations.map((id) => (
                <li key={id} className={id === focusId ? 'focus' : undefined}>
                  <code>{id}</code>
                </li>
              ))}
            </ol>
          )}
          {warnings.map((warning) => (
            <div key={warning} className="banner banner-warn" role="note">
              {warning}
            </div>
          ))}
          <p className="plan-note muted">
            {plan.refusal
              ? 'This is what the server would run for this request; its safety policy refuses it as things stand.'
              : "This is the server's plan for exactly this request, in the order it will run."}
          </p>
        </>
      ) : null}
    </div>
  );
}
