// Shapes of the dashboard JSON API. docs/dashboard-api.md is the normative description; keep
// the two in step. Times are epoch milliseconds, durations milliseconds.

export type Direction = 'up' | 'down';

export type MigrationStatus = 'pending' | 'running' | 'completed' | 'failed' | 'interrupted' | 'suspended' | 'rolled_back';
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'suspended';
export type ExecutionStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'needs_continuation' | 'suspended';

export interface Who {
  user?: string;
  host?: string;
  pid?: number;
  awsPrincipal?: string;
  lambdaRequestId?: string;
  ecsTaskArn?: string;
}

/**
 * The latest `ctx.report_progress` of a run: `done` of `total` (null when the migration does not
 * know it) `unit`s, reported at `updatedAt` (epoch ms; the store has it at most ~2 s later).
 */
export interface Progress {
  done: number;
  total: number | null;
  unit: string;
  updatedAt: number;
}

/** One row of GET /api/migrations: the latest state of one migration. */
export interface MigrationView {
  id: string;
  name: string;
  status: MigrationStatus;
  applied: boolean;
  direction?: Direction;
  executionId?: string;
  startedAt?: number;
  completedAt?: number;
  duration?: number;
  error?: string;
  description?: string;
  outputTruncated?: boolean;
  checksum?: string;
  drift?: boolean;
  missing?: boolean;
  outOfOrder?: boolean;
  /** Only on the row of the migration running now, once it has reported progress. */
  progress?: Progress;
}

export interface Summary {
  pending: number;
  completed: number;
  failed: number;
  running: number;
  suspended: number;
  total: number;
}

/**
 * How a run or execution came about: absent for a normal `up`/`down`; 'manual' for an
 * operations command (baseline, mark, repair) that recorded state without running the body.
 */
export type RecordKind = 'manual';

/** One run of one migration (GET /api/migrations/{id}, GET /api/executions/{id}). */
export interface MigrationRecord {
  runId: string;
  id: string;
  name: string;
  status: RunStatus;
  direction: Direction;
  executionId: string;
  startedAt: number;
  completedAt?: number;
  duration?: number;
  description?: string;
  output?: string;
  outputTruncated?: boolean;
  metadata?: unknown;
  error?: string;
  checksum?: string;
  hop?: number;
  who?: Who;
  /** 'manual' for an operations command's audit run; absent for a normal run. */
  kind?: RecordKind | string;
  /** Why it was done (`--reason`), for manual runs. */
  reason?: string;
  /** The latest progress it reported (kept on the finished run); absent when it never reported. */
  progress?: Progress;
}

export interface ExecutionBatch {
  executionId: string;
  direction: Direction;
  target?: string;
  status: ExecutionStatus;
  startedAt: number;
  completedAt?: number;
  migrationCount: number;
  finishedCount: number;
  plannedCount: number;
  planned: string[];
  hop: number;
  who?: Who;
  error?: string;
  /** 'manual' for an operations command; absent for a normal `up`/`down`. */
  kind?: RecordKind | string;
  reason?: string;
}

export interface StatusLists {
  pending: string[];
  completed: string[];
  failed: string[];
}

/** Why a run would be (or was) refused before it started: the safety policy of the CLI. */
export interface RunRefusal {
  code: 'drift' | 'out-of-order' | string;
  /** The drifted migrations, or the out-of-order planned ones. */
  ids: string[];
  /** One paragraph naming the ids and the command that accepts them. */
  message: string;
}

export interface Plan {
  direction: Direction;
  target?: string;
  steps?: number;
  migrations: string[];
  /** Present when running this plan would be refused (drift, out of order). */
  refusal?: RunRefusal;
}

export interface CurrentRunView {
  migrationId: string;
  runId: string;
  direction: Direction;
  startedAt: number;
  output?: string;
  /** Its latest saved progress; absent until it reports. */
  progress?: Progress;
}

export interface LockView {
  held: boolean;
  owner?: string;
  who?: Who;
  acquiredAt?: number;
  expiresAt?: number;
  executionId?: string;
  current?: CurrentRunView;
}

/** What a Run or Rollback dialog sends: exactly one of target / steps, or neither. */
export interface RunParams {
  target?: string;
  steps?: number;
}

export interface ActionResponse {
  message: string;
  invoked: boolean;
  executionId?: string;
}

/** GET /api/identity: which store and environment this dashboard shows. */
export interface StoreIdentity {
  scheme: string;
  /** "dynamodb: migrations-prod (eu-west-1)", "sqlite: ./app.db". */
  label: string;
  table?: string;
  region?: string;
  /** A custom endpoint, host[:port] only. */
  endpoint?: string;
  profile?: string;
  path?: string;
  name?: string;
}

export interface Identity {
  store: StoreIdentity;
  /** The [env.NAME] / --env applied; absent when none. */
  env?: string;
}

export type SegmentState = 'pending' | 'running' | 'done' | 'failed';

/** Items a backfill segment (or a whole job) scanned, wrote, skipped and failed. */
export interface SegmentCounts {
  scanned: number;
  written: number;
  skipped: number;
  failed: number;
}

export interface SegmentView extends SegmentCounts {
  segment: number;
  totalSegments: number;
  state: SegmentState | string;
  updatedAt: number;
  /** The worker holding it (while it runs). */
  owner?: string;
}

export interface BackfillJobView {
  name: string;
  jobId: string;
  totalSegments: number;
  /** Segments per state, over every segment (also when `segments` is truncated). */
  states: Record<SegmentState, number>;
  /** Counts summed over every segment. */
  totals: SegmentCounts;
  segments: SegmentView[];
  /** True when the answer kept only the first segments (1,024 over all jobs). */
  segmentsTruncated?: boolean;
}

/** GET /api/migrations/{id}/segments: the backfill jobs of a migration and their segments. */
export interface SegmentsView {
  migrationId: string;
  running: boolean;
  jobs: BackfillJobView[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
