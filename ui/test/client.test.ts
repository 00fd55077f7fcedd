import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN_KEY, ApiClient, ApiError, buildQuery, errorMessage, type TokenStorage } from '../src/api/client';

interface Call {
  url: string;
  init: RequestInit;
  headers: Record<string, string>;
}

function memoryStorage(): TokenStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

function mockFetch(responder: (url: string, init: RequestInit) => Response) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, init, headers: { ...(init.headers as Record<string, string>) } });
    return responder(url, init);
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

let localSet: ReturnType<typeof vi.fn>;
beforeEach(() => {
  // Any use of localStorage would be a defect: make it observable.
  localSet = vi.fn();
  vi.stubGlobal('localStorage', { setItem: localSet, getItem: vi.fn(() => null), removeItem: vi.fn() });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('page token', () => {
  it('is sent as X-Auric-Token on POST and not on GET', async () => {
    const { fetch, calls } = mockFetch((url) =>
      url.endsWith('/api/lock') ? json({ held: false }) : json({ message: 'Rollback initiated', invoked: true }),
    );
    const client = new ApiClient({ pageToken: 'tok123', fetch });
    await client.lock();
    await client.run('down', { target: '20240101000000_a' });
    expect(calls[0].headers['X-Auric-Token']).toBeUndefined();
    expect(calls[1].init.method).toBe('POST');
    expect(calls[1].url).toBe('/api/rollback');
    expect(calls[1].headers['X-Auric-Token']).toBe('tok123');
    expect(calls[1].headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ target: '20240101000000_a' });
  });

  it('ignores the unreplaced placeholder', async () => {
    const { fetch, calls } = mockFetch(() => json({ message: 'Migration initiated', invoked: true }));
    const client = new ApiClient({ pageToken: '__AURIC_TOKEN__', fetch });
    expect(client.hasPageToken()).toBe(false);
    await client.run('up', {});
    expect(calls[0].headers['X-Auric-Token']).toBeUndefined();
    expect(calls[0].url).toBe('/api/migrate');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({});
  });

  it('posts exactly the dialog parameters (steps, no target)', async () => {
    const { fetch, calls } = mockFetch(() => json({ message: 'Migration initiated', invoked: true, executionId: 'e1' }));
    const client = new ApiClient({ pageToken: 't', fetch });
    const response = await client.run('up', { steps: 2 });
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ steps: 2 });
    expect(response.executionId).toBe('e1');
  });
});

describe('bearer token (deployed API)', () => {
  it('is not sent before sign-in; a 401 asks for it', async () => {
    const storage = memoryStorage();
    const { fetch, calls } = mockFetch(() => json({ error: 'Unauthorized' }, 401));
    const client = new ApiClient({ fetch, storage });
    const listener = vi.fn();
    client.onAuthRequired(listener);
    await expect(client.summary()).rejects.toMatchObject({ status: 401, message: 'Unauthorized' });
    expect(calls[0].headers.Authorization).toBeUndefined();
    expect(listener).toHaveBeenCalledWith('required');
  });

  it('is sent as Authorization: Bearer on GET and POST after sign-in, kept in the given (session) storage', async () => {
    const storage = memoryStorage();
    const { fetch, calls } = mockFetch((url) =>
      url.startsWith('/api/migrate') ? json({ message: 'Migration initiated', invoked: true }) : json([]),
    );
    const client = new ApiClient({ fetch, storage });
    client.setAccessToken('  s3cret  ');
    expect(storage.map.get(ACCESS_TOKEN_KEY)).toBe('s3cret');
    await client.migrations();
    await client.run('up', {});
    expect(calls[0].headers.Authorization).toBe('Bearer s3cret');
    expect(calls[1].headers.Authorization).toBe('Bearer s3cret');
    expect(localSet).not.toHaveBeenCalled();
  });

  it('clears a rejected token and reports "rejected"', async () => {
    const storage = memoryStorage();
    storage.setItem(ACCESS_TOKEN_KEY, 'wrong');
    const { fetch } = mockFetch(() => json({ error: 'Unauthorized' }, 401));
    const client = new ApiClient({ fetch, storage });
    const listener = vi.fn();
    const unsubscribe = client.onAuthRequired(listener);
    await expect(client.lock()).rejects.toBeInstanceOf(ApiError);
    expect(listener).toHaveBeenCalledWith('rejected');
    expect(client.getAccessToken()).toBeNull();
    unsubscribe();
    await expect(client.lock()).rejects.toBeInstanceOf(ApiError);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('does not call the listener for other errors', async () => {
    const { fetch } = mockFetch(() => json({ error: 'Internal server error' }, 500));
    const client = new ApiClient({ fetch, storage: memoryStorage() });
    const listener = vi.fn();
    client.onAuthRequired(listener);
    await expect(client.status()).rejects.toMatchObject({ status: 500, message: 'Internal server error' });
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('pagination', () => {
  it('passes limit and cursor and returns X-Next-Cursor', async () => {
    const { fetch, calls } = mockFetch((url) =>
      url.includes('cursor=')
        ? json([{ executionId: 'e3' }])
        : json([{ executionId: 'e1' }, { executionId: 'e2' }], 200, { 'X-Next-Cursor': 'abc+/=' }),
    );
    const client = new ApiClient({ fetch });
    const first = await client.executions(2);
    expect(calls[0].url).toBe('/api/executions?limit=2');
    expect(first.items.map((e) => e.executionId)).toEqual(['e1', 'e2']);
    expect(first.nextCursor).toBe('abc+/=');
    const second = await client.executions(2, first.nextCursor);
    expect(calls[1].url).toBe('/api/executions?limit=2&cursor=abc%2B%2F%3D');
    expect(second.nextCursor).toBeUndefined();
  });

  it('encodes migration ids in the path and pages runs', async () => {
    const { fetch, calls } = mockFetch(() => json([], 200, { 'X-Next-Cursor': 'n1' }));
    const client = new ApiClient({ fetch, baseUrl: 'https://api.example.test/' });
    const page = await client.migrationRuns('2024/01 weird#id', 10);
    expect(calls[0].url).toBe('https://api.example.test/api/migrations/2024%2F01%20weird%23id?limit=10');
    expect(page.nextCursor).toBe('n1');
  });

  it('asks for exactly the dialog parameters in the plan query', async () => {
    const { fetch, calls } = mockFetch(() => json({ direction: 'down', target: 'x', migrations: ['x'] }));
    const client = new ApiClient({ fetch });
    await client.plan('down', { target: 'x' });
    await client.plan('up', { steps: 3 });
    await client.plan('up', {});
    expect(calls.map((c) => c.url)).toEqual(['/api/plan?direction=down&target=x', '/api/plan?direction=up&steps=3', '/api/plan?direction=up']);
  });
});

describe('errors', () => {
  it('exposes the lock holder of a 409', async () => {
    const holder = { held: true, owner: 'ci:1:a', who: { user: 'ci', host: 'runner-7' } };
    const { fetch } = mockFetch(() => json({ error: 'Another run holds the migration lock', holder }, 409));
    const client = new ApiClient({ fetch, pageToken: 't' });
    const error = await client.run('up', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect((error as ApiError).holder).toEqual(holder);
  });

  it('shows the reference "not available" message', async () => {
    const { fetch } = mockFetch(() => json({ message: 'Rollback is not available. No function.', invoked: false }, 400));
    const client = new ApiClient({ fetch, pageToken: 't' });
    await expect(client.run('down', { steps: 1 })).rejects.toThrow('Rollback is not available. No function.');
  });

  it('takes message, then error, then the raw body', () => {
    expect(errorMessage(400, '{"message":"m","error":"e"}').message).toBe('m');
    expect(errorMessage(400, '{"error":"e"}').message).toBe('e');
    expect(errorMessage(502, 'Bad Gateway').message).toBe('API error 502: Bad Gateway');
    expect(errorMessage(504, '').message).toBe('API error 504');
  });

  it('maps a 404 execution summary to null', async () => {
    const { fetch } = mockFetch(() => json({ error: 'Not found' }, 404));
    const client = new ApiClient({ fetch });
    await expect(client.executionSummary('nope')).resolves.toBeNull();
  });

  it('builds queries without empty values', () => {
    expect(buildQuery({ a: 1, b: undefined, c: '', d: 'x y' })).toBe('?a=1&d=x+y');
    expect(buildQuery({})).toBe('');
  });
});
