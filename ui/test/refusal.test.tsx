import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, asRefusal, errorMessage } from '../src/api/client';
import type { Plan } from '../src/api/types';
import { PlanPreview } from '../src/components/PlanPreview';
import { canConfirm, refusalHeading } from '../src/lib/plan';

const drift: Plan = {
  direction: 'up',
  migrations: ['20250104090000_add-email-index'],
  refusal: {
    code: 'drift',
    ids: ['20250101090000_create-users'],
    message: 'Refusing to run: 20250101090000_create-users changed after it was applied. Run `repair --accept-checksum`.',
  },
};

const preview = (plan: Plan | null) =>
  renderToStaticMarkup(<PlanPreview direction="up" valid loading={false} error={null} plan={plan} />);

describe('PlanPreview', () => {
  it('shows the refusal with its message and ids above the plan', () => {
    const html = preview(drift);
    expect(html).toContain('data-testid="plan-refusal"');
    expect(html).toContain('data-code="drift"');
    expect(html).toContain('Refused: checksum drift');
    expect(html).toContain('Run `repair --accept-checksum`.');
    expect(html).toContain('<code>20250101090000_create-users</code>');
    expect(html).toContain('refuses it as things stand');
    expect(html.indexOf('plan-refusal')).toBeLessThan(html.indexOf('plan-headline'));
  });
  it('shows no refusal for a plan that may run', () => {
    const html = preview({ ...drift, refusal: undefined });
    expect(html).not.toContain('plan-refusal');
    expect(html).toContain('Run 1 migration:');
  });
});

describe('canConfirm with a refusal', () => {
  const ready = { planLoading: false, submitting: false, planMatchesParams: true, count: 1, choiceValid: true };
  it('is disabled while the server refuses the run', () => {
    expect(canConfirm(ready)).toBe(true);
    expect(canConfirm({ ...ready, refused: true })).toBe(false);
  });
  it('names the reason', () => {
    expect(refusalHeading('drift')).toBe('Refused: checksum drift');
    expect(refusalHeading('out-of-order')).toBe('Refused: out of order');
    expect(refusalHeading('other')).toBe('Refused');
  });
});

describe('a refused POST', () => {
  const body = JSON.stringify({ error: 'Refusing to run: drift', refusal: { code: 'drift', ids: ['a'], message: 'Refusing to run: drift' } });
  it('carries the refusal to the dialog', async () => {
    expect(errorMessage(409, body).refusal).toEqual({ code: 'drift', ids: ['a'], message: 'Refusing to run: drift' });
    const client = new ApiClient({ fetch: async () => new Response(body, { status: 409 }) });
    const error = await client.run('up', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).refusal?.code).toBe('drift');
    expect((error as ApiError).message).toBe('Refusing to run: drift');
  });
  it('is no refusal when the shape does not fit', () => {
    expect(asRefusal({ code: 'drift' })).toBeUndefined();
    expect(asRefusal('x')).toBeUndefined();
    expect(errorMessage(409, JSON.stringify({ error: 'held', holder: { held: true } })).refusal).toBeUndefined();
  });
});
