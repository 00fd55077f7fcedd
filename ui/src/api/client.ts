// The one place that talks HTTP. Pages call the typed methods; the client adds the headers the
// servers require:
//   * X-Auric-Token on every POST: the per-start token that the local server embeds in
//     index.html (<meta name="auric-token">), read once at start-up;
//   * Authorization: Bearer <token> on every request once the user has signed in to a deployed
//     API (the token lives in sessionStorage only, never localStorage).
// A 401 from any request clears a rejected bearer token and tells the listeners (the sign-in
// form) that an access token is needed.
import type {
  ActionResponse,
  Direction,
  ExecutionBatch,
  Identity,
  LockView,
  MigrationRecord,
  MigrationView,
  Page,
  Plan,
  RunParams,
  RunRefusal,
  SegmentsView,
  StatusLists,
  Summary,
} from './types';

export const ACCESS_TOKEN_KEY = 'auric.dashboard.accessToken';
export const TOKEN_PLACEHOLDER = '__AURIC_TOKEN__';
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

export class ApiError extends Error {
  readonly status: number;
  /** For 409 answers: who holds the lock (a LockView, or whatever the server sent). */
  readonly holder?: unknown;
  /** For 409 answers to a run the safety policy refuses (drift, out of order). */
  readonly refusal?: RunRefusal;
  constructor(status: number, message: string, holder?: unknown, refusal?: RunRefusal) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.holder = holder;
    this.refusal = refusal;
  }
}

/** `value` as a RunRefusal when it has the shape of one. */
export function asRefusal(value: unknown): RunRefusal | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.message !== 'string' || !obj.message) return undefined;
  const ids = Array.isArray(obj.ids) ? obj.ids.filter((id): id is string => typeof id === 'string') : [];
  return { code: typeof obj.code === 'string' ? obj.code : 'refused', ids, message: obj.message };
}

/** Minimal Storage subset, so tests can pass a Map-backed fake. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type AuthListener = (reason: 'required' | 'rejected') => void;

export interface ApiClientOptions {
  baseUrl?: string;
  /** The page token from <meta name="auric-token">; empty or the placeholder means none. */
  pageToken?: string | null;
  fetch?: typeof fetch;
  /** Where the bearer token is kept; sessionStorage in the browser. */
  storage?: TokenStorage | null;
}

type Query = Record<string, string | number | undefined | null>;

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Picks the error line shown to the user: JSON `message`, then `error`, then the raw body. */
export function errorMessage(
  status: number,
  bodyText: string,
): { message: string; holder?: unknown; refusal?: RunRefusal } {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object') {
      const obj = parsed as Record<string, unknown>;
      const holder = obj.holder;
      const refusal = asRefusal(obj.refusal);
      if (typeof obj.message === 'string' && obj.message) return { message: obj.message, holder, refusal };
      if (typeof obj.error === 'string' && obj.error) return { message: obj.error, holder, refusal };
    }
  } catch {
    // not JSON: fall through
  }
  const body = bodyText.trim().slice(0, 200);
  return { message: body ? `API error ${status}: ${body}` : `API error ${status}` };
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly pageToken: string | null;
  private readonly fetchFn: typeof fetch;
  private readonly storage: TokenStorage | null;
  private readonly authListeners = new Set<AuthListener>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    const token = (options.pageToken ?? '').trim();
    this.pageToken = token && token !== TOKEN_PLACEHOLDER ? token : null;
    this.fetchFn = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
    this.storage = options.storage ?? null;
  }

  // ---- bearer token (deployed API) -------------------------------------------------------
  getAccessToken(): string | null {
    try {
      return this.storage?.getItem(ACCESS_TOKEN_KEY) || null;
    } catch {
      return null;
    }
  }

  setAccessToken(token: string | null): void {
    try {
      if (token && token.trim()) this.storage?.setItem(ACCESS_TOKEN_KEY, token.trim());
      else this.storage?.removeItem(ACCESS_TOKEN_KEY);
    } catch {
      // storage unavailable (private mode): the token simply is not kept
    }
  }

  onAuthRequired(listener: AuthListener): () => void {
    this.authListeners.add(listener);
    return () => this.authListeners.delete(listener);
  }

  hasPageToken(): boolean {
    return this.pageToken !== null;
  }

  // ---- transport -------------------------------------------------------------------------
  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<{ data: T; headers: Headers }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const bearer = this.getAccessToken();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (method === 'POST') {
      headers['Content-Type'] = 'application/json';
      if (this.pageToken) headers['X-Auric-Token'] = this.pageToken;
      body = JSON.stringify(options.body ?? {});
    }
    const url = `${this.baseUrl}${path}${buildQuery(options.query)}`;
    const response = await this.fetchFn(url, {
      method,
      headers,
      body,
      cache: 'no-store',
      credentials: 'same-origin',
      signal: options.signal,
    });
    const text = await response.text();
    if (!response.ok) {
      if (response.status === 401) {
        const reason = bearer ? 'rejected' : 'required';
        if (bearer) this.setAccessToken(null);
        for (const listener of this.authListeners) listener(reason);
      }
      const { message, holder, refusal } = errorMessage(response.status, text);
      throw new ApiError(response.status, message, holder, refusal);
    }
    let data: T;
    try {
      data = (text ? JSON.parse(text) : null) as T;
    } catch {
      throw new ApiError(response.status, `API error ${response.status}: the response is not JSON`);
    }
    return { data, headers: response.headers };
  }

  private async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>('GET', path, { query, signal })).data;
  }

  private async page<T>(path: string, limit: number, cursor?: string, signal?: AbortSignal): Promise<Page<T>> {
    const { data, headers } = await this.request<T[]>('GET', path, { query: { limit, cursor }, signal });
    const next = headers.get(NEXT_CURSOR_HEADER);
    return { items: Array.isArray(data) ? data : [], nextCursor: next ? next : undefined };
  }

  // ---- endpoints -------------------------------------------------------------------------
  migrations(signal?: AbortSignal): Promise<MigrationView[]> {
    return this.get('/api/migrations', undefined, signal);
  }

  summary(signal?: AbortSignal): Promise<Summary> {
    return this.get('/api/migrations/summary', undefined, signal);
  }

  migrationRuns(id: string, limit: number, cursor?: string, signal?: AbortSignal): Promise<Page<MigrationRecord>> {
    return this.page(`/api/migrations/${encodeURIComponent(id)}`, limit, cursor, signal);
  }

  /** The migration's backfill jobs and segments; null for an id the server does not know (404). */
  async segments(id: string, signal?: AbortSignal): Promise<SegmentsView | null> {
    try {
      const data = await this.get<SegmentsView>(`/api/migrations/${encodeURIComponent(id)}/segments`, undefined, signal);
      return { ...data, jobs: Array.isArray(data?.jobs) ? data.jobs : [] };
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  executions(limit: number, cursor?: string, signal?: AbortSignal): Promise<Page<ExecutionBatch>> {
    return this.page('/api/executions', limit, cursor, signal);
  }

  executionRuns(executionId: string, signal?: AbortSignal): Promise<MigrationRecord[]> {
    return this.get(`/api/executions/${encodeURIComponent(executionId)}`, undefined, signal);
  }

  async executionSummary(executionId: string, signal?: AbortSignal): Promise<ExecutionBatch | null> {
    try {
      return await this.get<ExecutionBatch>(`/api/executions/${encodeURIComponent(executionId)}/summary`, undefined, signal);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  status(signal?: AbortSignal): Promise<StatusLists> {
    return this.get('/api/status', undefined, signal);
  }

  plan(direction: Direction, params: RunParams, signal?: AbortSignal): Promise<Plan> {
    return this.get('/api/plan', { direction, target: params.target, steps: params.steps }, signal);
  }

  identity(signal?: AbortSignal): Promise<Identity> {
    return this.get('/api/identity', undefined, signal);
  }

  lock(signal?: AbortSignal): Promise<LockView> {
    return this.get('/api/lock', undefined, signal);
  }

  /** POSTs exactly `params` (the same object the plan was fetched with). */
  async run(direction: Direction, params: RunParams): Promise<ActionResponse> {
    const body: RunParams = {};
    if (params.target !== undefined) body.target = params.target;
    if (params.steps !== undefined) body.steps = params.steps;
    const path = direction === 'up' ? '/api/migrate' : '/api/rollback';
    return (await this.request<ActionResponse>('POST', path, { body })).data;
  }
}

function metaContent(name: string): string | null {
  if (typeof document === 'undefined') return null;
  const element = document.querySelector(`meta[name="${name}"]`);
  return element?.getAttribute('content') ?? null;
}

function sessionStore(): TokenStorage | null {
  try {
    return typeof window !== 'undefined' ? window.sessionStorage : null;
  } catch {
    return null;
  }
}

declare global {
  interface Window {
    __MIGRATIONS_API_URL__?: string;
  }
}

/** The browser's client: page token and API origin read once, here, at start-up. */
export function createBrowserClient(): ApiClient {
  const baseUrl =
    metaContent('auric-api-url') ||
    (typeof window !== 'undefined' ? window.__MIGRATIONS_API_URL__ : undefined) ||
    (import.meta.env?.VITE_API_URL as string | undefined) ||
    '';
  return new ApiClient({ baseUrl, pageToken: metaContent('auric-token'), storage: sessionStore() });
}
