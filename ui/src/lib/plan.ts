// The Run / Rollback dialogs' logic, kept pure so it can be unit-tested. The rule: what the
// dialog shows is the server's own plan (GET /api/plan) for exactly the parameters it will
// POST, and the confirm button is enabled only while the shown plan is the plan of those
// parameters.
import type { Direction, Plan, RunParams } from '../api/types';
import { plural } from './format';

/** What the user picked in a dialog. */
export type RunChoice =
  | { kind: 'all' }
  | { kind: 'target'; target: string }
  | { kind: 'steps'; steps: number };

/** The parameters sent both to GET /api/plan and to the POST: exactly one of target / steps, or none. */
export function choiceToParams(choice: RunChoice): RunParams {
  switch (choice.kind) {
    case 'all':
      return {};
    case 'target':
      return { target: choice.target };
    case 'steps':
      return { steps: choice.steps };
  }
}

/** A choice is valid when its target is non-empty and its steps a positive integer. */
export function isValidChoice(choice: RunChoice): boolean {
  if (choice.kind === 'target') return choice.target.trim().length > 0;
  if (choice.kind === 'steps') return Number.isInteger(choice.steps) && choice.steps > 0;
  return true;
}

/** A stable key for "these parameters" (used to discard stale plan responses). */
export function paramsKey(direction: Direction, params: RunParams): string {
  return JSON.stringify([direction, params.target ?? null, params.steps ?? null]);
}

/** True when `plan` was computed for exactly `direction` + `params`. */
export function planMatches(plan: Plan | null | undefined, direction: Direction, params: RunParams): boolean {
  if (!plan) return false;
  if (plan.direction !== direction) return false;
  if ((plan.target ?? undefined) !== (params.target ?? undefined)) return false;
  if ((plan.steps ?? undefined) !== (params.steps ?? undefined)) return false;
  return Array.isArray(plan.migrations);
}

export function verb(direction: Direction): string {
  return direction === 'up' ? 'Run' : 'Roll back';
}

/** "Run 3 migrations" / "Roll back 1 migration" / "Nothing to run" / "Nothing to roll back". */
export function planHeadline(direction: Direction, migrations: readonly string[]): string {
  if (migrations.length === 0) return direction === 'up' ? 'Nothing to run' : 'Nothing to roll back';
  return `${verb(direction)} ${plural(migrations.length, 'migration')}`;
}

/** "Roll back 3 migrations: c, b, a" (the list in run order). */
export function planSentence(direction: Direction, migrations: readonly string[]): string {
  const head = planHeadline(direction, migrations);
  return migrations.length ? `${head}: ${migrations.join(', ')}` : head;
}

/** The confirm button: "Run 3 migrations", "Rolling back…". */
export function confirmLabel(direction: Direction, count: number, submitting: boolean): string {
  if (submitting) return direction === 'up' ? 'Running…' : 'Rolling back…';
  if (count === 0) return verb(direction);
  return `${verb(direction)} ${plural(count, 'migration')}`;
}

export interface ConfirmState {
  planLoading: boolean;
  submitting: boolean;
  planMatchesParams: boolean;
  count: number;
  choiceValid: boolean;
  /** The server said this run would be refused (drift, out of order). */
  refused?: boolean;
}

/**
 * Confirm is possible only with a loaded plan for the current parameters that runs something
 * and that the safety policy does not refuse.
 */
export function canConfirm(state: ConfirmState): boolean {
  return (
    !state.planLoading && !state.submitting && state.planMatchesParams && state.choiceValid && state.count > 0 && !state.refused
  );
}

/** "Refused: checksum drift" / "Refused: out of order" (the banner's heading). */
export function refusalHeading(code: string): string {
  if (code === 'drift') return 'Refused: checksum drift';
  if (code === 'out-of-order') return 'Refused: out of order';
  return 'Refused';
}

/**
 * Warnings for a dialog opened for one migration (`focusId`, e.g. "Roll back this migration"):
 * other migrations the plan will also touch, or the focus migration missing from the plan.
 */
export function focusWarnings(direction: Direction, migrations: readonly string[], focusId?: string): string[] {
  if (!focusId) return [];
  const warnings: string[] = [];
  if (!migrations.includes(focusId)) {
    warnings.push(
      direction === 'down'
        ? `${focusId} is not in the plan: it is not applied.`
        : `${focusId} is not in the plan: it is not pending.`,
    );
    return warnings;
  }
  const others = migrations.filter((id) => id !== focusId);
  if (others.length) {
    warnings.push(
      direction === 'down'
        ? `${plural(others.length, 'newer applied migration')} will be rolled back before it (listed above).`
        : `${plural(others.length, 'older pending migration')} will run before it (listed above).`,
    );
  }
  return warnings;
}

/** Dialog titles. */
export function dialogTitle(direction: Direction, focusId?: string): string {
  if (focusId) return direction === 'down' ? 'Roll back this migration' : 'Run up to this migration';
  return direction === 'down' ? 'Roll back migrations' : 'Run pending migrations';
}
