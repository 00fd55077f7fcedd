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
}

export interface Summary {
  pending: number;
  completed: number;
  failed: number;
  running: number;
  suspended: number;
  total: number;
}

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
}

export interface StatusLists {
  pending: string[];
  completed: string[];
  failed: string[];
}

export interface Plan {
  direction: Direction;
  target?: string;
  steps?: number;
  migrations: string[];
}

export interface CurrentRunView {
  migrationId: string;
  runId: string;
  direction: Direction;
  startedAt: number;
  output?: string;
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

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
