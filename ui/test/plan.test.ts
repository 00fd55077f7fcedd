import { describe, expect, it } from 'vitest';
import {
  canConfirm,
  choiceToParams,
  confirmLabel,
  dialogTitle,
  focusWarnings,
  isValidChoice,
  paramsKey,
  planHeadline,
  planMatches,
  planSentence,
} from '../src/lib/plan';

describe('choiceToParams', () => {
  it('sends nothing for "all", only the target, or only the steps', () => {
    expect(choiceToParams({ kind: 'all' })).toEqual({});
    expect(choiceToParams({ kind: 'target', target: '20240101000000_a' })).toEqual({ target: '20240101000000_a' });
    expect(choiceToParams({ kind: 'steps', steps: 3 })).toEqual({ steps: 3 });
  });

  it('validates targets and steps', () => {
    expect(isValidChoice({ kind: 'steps', steps: 0 })).toBe(false);
    expect(isValidChoice({ kind: 'steps', steps: 1.5 })).toBe(false);
    expect(isValidChoice({ kind: 'steps', steps: Number.NaN })).toBe(false);
    expect(isValidChoice({ kind: 'steps', steps: 2 })).toBe(true);
    expect(isValidChoice({ kind: 'target', target: ' ' })).toBe(false);
    expect(isValidChoice({ kind: 'all' })).toBe(true);
  });
});

describe('planMatches', () => {
  const plan = { direction: 'down' as const, target: 'b', migrations: ['c', 'b'] };
  it('accepts the plan of exactly these parameters', () => {
    expect(planMatches(plan, 'down', { target: 'b' })).toBe(true);
  });
  it('rejects a plan for another direction, target or steps', () => {
    expect(planMatches(plan, 'up', { target: 'b' })).toBe(false);
    expect(planMatches(plan, 'down', { target: 'c' })).toBe(false);
    expect(planMatches(plan, 'down', { target: 'b', steps: 1 })).toBe(false);
    expect(planMatches(plan, 'down', {})).toBe(false);
    expect(planMatches(null, 'down', { target: 'b' })).toBe(false);
    expect(planMatches({ direction: 'up', steps: 2, migrations: [] }, 'up', { steps: 2 })).toBe(true);
  });
  it('keys parameters so a stale response can be told apart', () => {
    expect(paramsKey('down', { steps: 1 })).not.toBe(paramsKey('down', { steps: 2 }));
    expect(paramsKey('down', { target: 'a' })).not.toBe(paramsKey('up', { target: 'a' }));
    expect(paramsKey('up', {})).toBe(paramsKey('up', {}));
  });
});

describe('wording', () => {
  it('states the true count', () => {
    expect(planHeadline('down', ['c', 'b', 'a'])).toBe('Roll back 3 migrations');
    expect(planHeadline('down', ['a'])).toBe('Roll back 1 migration');
    expect(planHeadline('up', ['a', 'b'])).toBe('Run 2 migrations');
    expect(planHeadline('up', [])).toBe('Nothing to run');
    expect(planHeadline('down', [])).toBe('Nothing to roll back');
  });

  it('lists the plan in run order', () => {
    expect(planSentence('down', ['c', 'b', 'a'])).toBe('Roll back 3 migrations: c, b, a');
    expect(planSentence('up', [])).toBe('Nothing to run');
  });

  it('labels the confirm button', () => {
    expect(confirmLabel('down', 3, false)).toBe('Roll back 3 migrations');
    expect(confirmLabel('down', 3, true)).toBe('Rolling back…');
    expect(confirmLabel('up', 1, false)).toBe('Run 1 migration');
    expect(confirmLabel('up', 0, false)).toBe('Run');
    expect(confirmLabel('up', 2, true)).toBe('Running…');
  });

  it('titles the dialogs', () => {
    expect(dialogTitle('down', 'x')).toBe('Roll back this migration');
    expect(dialogTitle('down')).toBe('Roll back migrations');
    expect(dialogTitle('up')).toBe('Run pending migrations');
  });
});

describe('focusWarnings (dialog opened for one migration)', () => {
  it('names every newer applied migration that is rolled back too', () => {
    expect(focusWarnings('down', ['d', 'c', 'b'], 'b')).toEqual(['2 newer applied migrations will be rolled back before it (listed above).']);
  });
  it('is silent when the plan is exactly that migration', () => {
    expect(focusWarnings('down', ['b'], 'b')).toEqual([]);
    expect(focusWarnings('down', ['d', 'b'])).toEqual([]);
  });
  it('says so when the migration is not in the plan', () => {
    expect(focusWarnings('down', [], 'b')).toEqual(['b is not in the plan: it is not applied.']);
    expect(focusWarnings('up', ['a'], 'b')).toEqual(['b is not in the plan: it is not pending.']);
  });
  it('names older pending migrations that run first', () => {
    expect(focusWarnings('up', ['a', 'b'], 'b')).toEqual(['1 older pending migration will run before it (listed above).']);
  });
});

describe('canConfirm', () => {
  const ready = { planLoading: false, submitting: false, planMatchesParams: true, count: 2, choiceValid: true };
  it('allows confirming a loaded, matching, non-empty plan', () => {
    expect(canConfirm(ready)).toBe(true);
  });
  it.each([
    ['while the plan loads', { planLoading: true }],
    ['while submitting', { submitting: true }],
    ['when the plan is for other parameters', { planMatchesParams: false }],
    ['when the plan is empty', { count: 0 }],
    ['when the choice is invalid', { choiceValid: false }],
  ])('refuses %s', (_name, change) => {
    expect(canConfirm({ ...ready, ...change })).toBe(false);
  });
});
