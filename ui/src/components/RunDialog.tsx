// The Run and Rollback dialogs. What they list is GET /api/plan for exactly the parameters they
// will POST; confirm stays disabled while that plan is loading, while it belongs to other
// parameters, when it is empty, and while the request is being submitted.
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import type { ActionResponse, Direction, Plan, RunRefusal } from '../api/types';
import { formatHolder } from '../lib/format';
import { useClient } from '../lib/hooks';
import {
  canConfirm,
  choiceToParams,
  confirmLabel,
  dialogTitle,
  isValidChoice,
  paramsKey,
  planMatches,
  type RunChoice,
} from '../lib/plan';
import { PlanPreview, RefusalBanner } from './PlanPreview';

export interface RunDialogProps {
  direction: Direction;
  onClose: () => void;
  onStarted: (response: ActionResponse) => void;
  /** Opened for one migration: the target is fixed to it. */
  focusId?: string;
  /** Ids offered as targets: pending ids in run order (up) or applied ids newest first (down). */
  candidates?: string[];
}

function initialChoice(direction: Direction, focusId: string | undefined): RunChoice {
  if (focusId) return { kind: 'target', target: focusId };
  return direction === 'up' ? { kind: 'all' } : { kind: 'steps', steps: 1 };
}

export function lockHeldMessage(error: ApiError): string {
  return `Another run holds the lock: ${formatHolder(error.holder)}. Wait for it to finish, then try again.`;
}

export function RunDialog({ direction, onClose, onStarted, focusId, candidates = [] }: RunDialogProps) {
  const client = useClient();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState<RunChoice>(() => initialChoice(direction, focusId));
  const [stepsText, setStepsText] = useState('1');
  const [selectedTarget, setSelectedTarget] = useState<string>(() => focusId ?? candidates[direction === 'up' ? candidates.length - 1 : 0] ?? '');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [planLoading, setPlanLoading] = useState(true);
  const [planError, setPlanError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitRefusal, setSubmitRefusal] = useState<RunRefusal | null>(null);

  const params = useMemo(() => choiceToParams(choice), [choice]);
  const valid = isValidChoice(choice);
  const key = paramsKey(direction, params);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
  }, []);

  // Fetch the plan for exactly these parameters (debounced; stale answers dropped).
  useEffect(() => {
    setPlan(null);
    setPlanError(null);
    if (!valid) {
      setPlanLoading(false);
      return undefined;
    }
    setPlanLoading(true);
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      client
        .plan(direction, params, controller.signal)
        .then((value) => {
          if (controller.signal.aborted) return;
          setPlan(value);
          setPlanLoading(false);
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setPlanError(error instanceof Error ? error.message : String(error));
          setPlanLoading(false);
        });
    }, 150);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, valid, client]);

  const matches = planMatches(plan, direction, params);
  const shownPlan = matches ? plan : null;
  const migrations = shownPlan ? shownPlan.migrations : [];
  const refusal = shownPlan?.refusal;
  const confirmEnabled = canConfirm({
    planLoading,
    submitting,
    planMatchesParams: matches,
    count: migrations.length,
    choiceValid: valid,
    refused: Boolean(refusal),
  });

  const close = () => {
    if (!submitting) onClose();
  };

  const submit = async () => {
    if (!confirmEnabled) return;
    setSubmitting(true);
    setSubmitError(null);
    setSubmitRefusal(null);
    try {
      const response = await client.run(direction, params);
      onStarted(response);
      onClose();
    } catch (error) {
      // A refusal (drift, out of order) found when the run started, after the plan was shown.
      if (error instanceof ApiError && error.refusal) setSubmitRefusal(error.refusal);
      else if (error instanceof ApiError && error.status === 409) setSubmitError(lockHeldMessage(error));
      else setSubmitError(error instanceof Error ? error.message : String(error));
      setSubmitting(false);
    }
  };

  const setSteps = (text: string) => {
    setStepsText(text);
    const n = Number(text);
    setChoice({ kind: 'steps', steps: Number.isInteger(n) ? n : NaN });
  };

  const danger = direction === 'down';
  const title = dialogTitle(direction, focusId);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="run-dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      onClick={(event) => {
        if (event.target === dialogRef.current) close();
      }}
    >
      <form
        method="dialog"
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="run-dialog-title">{title}</h2>

        {!focusId && (
          <fieldset className="choices" disabled={submitting}>
            <legend className="sr-only">What to {direction === 'up' ? 'run' : 'roll back'}</legend>
            {direction === 'up' && (
              <label className="choice">
                <input type="radio" name="choice" checked={choice.kind === 'all'} onChange={() => setChoice({ kind: 'all' })} />
                All pending migrations
              </label>
            )}
            <label className="choice">
              <input
                type="radio"
                name="choice"
                checked={choice.kind === 'steps'}
                onChange={() => setSteps(stepsText)}
              />
              {direction === 'up' ? 'The next' : 'The last'}
              <input
                type="number"
                min={1}
                step={1}
                className="input input-steps"
                aria-label="Number of migrations"
                value={stepsText}
                onFocus={() => choice.kind !== 'steps' && setSteps(stepsText)}
                onChange={(event) => setSteps(event.target.value)}
              />
              {direction === 'up' ? 'pending' : 'applied'}
            </label>
            <label className="choice">
              <input
                type="radio"
                name="choice"
                checked={choice.kind === 'target'}
                disabled={candidates.length === 0}
                onChange={() => setChoice({ kind: 'target', target: selectedTarget })}
              />
              {direction === 'up' ? 'Up to and including' : 'Down to and including'}
              <select
                className="input input-target"
                aria-label="Target migration"
                value={selectedTarget}
                disabled={candidates.length === 0}
                onFocus={() => choice.kind !== 'target' && setChoice({ kind: 'target', target: selectedTarget })}
                onChange={(event) => {
                  setSelectedTarget(event.target.value);
                  setChoice({ kind: 'target', target: event.target.value });
                }}
              >
                {candidates.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
          </fieldset>
        )}

        <PlanPreview
          direction={direction}
          valid={valid}
          loading={planLoading}
          error={planError}
          plan={shownPlan}
          focusId={focusId}
        />

        {submitRefusal && <RefusalBanner refusal={submitRefusal} />}
        {submitError && (
          <div className="banner banner-danger" role="alert">
            <strong>{direction === 'up' ? 'Not started' : 'Not rolled back'}</strong>
            <span>{submitError}</span>
          </div>
        )}

        <div className="dialog-actions">
          <button type="button" className="btn" onClick={close} disabled={submitting}>
            Cancel
          </button>
          <button
            type="submit"
            className={danger ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={!confirmEnabled}
            title={refusal ? refusal.message : undefined}
          >
            {confirmLabel(direction, migrations.length, submitting)}
          </button>
        </div>
      </form>
    </dialog>
  );
}
