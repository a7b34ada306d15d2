// What the API, the delivery workflow and its activities share about one run's callbacks. No imports: the workflow
// sandbox loads this file too.

/** The internal workflow that delivers a run's callbacks; registered by the worker, absent from the public catalog. */
export const CALLBACK_DELIVERY_WORKFLOW_TYPE = 'CallbackDelivery';
/** The signal that adds a callback to a run's delivery workflow (signal-with-start, so the first one starts it). */
export const ADD_CALLBACK_SIGNAL = 'addCallback';
/** The memo field in which the delivery workflow keeps its deliveries, so listing them needs no worker. */
export const DELIVERIES_MEMO_KEY = 'callbackDeliveries';
/** The memo field in which it keeps when the watched run closed (ISO time), once it has: undelivered since then. */
export const RUN_CLOSED_AT_MEMO_KEY = 'callbackRunClosedAt';

/** The closing statuses a callback can be sent for. */
export const CLOSING_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'] as const;
export type ClosingStatus = (typeof CLOSING_STATUSES)[number];

/** One run's delivery workflow: one per run, whatever the number of callbacks; stored beside the run's own ID. */
export function deliveryWorkflowIdOf(storedWorkflowId: string, runId: string): string {
  return `${storedWorkflowId}~callbacks~${runId}`;
}

/** A callback as the start request gave it. */
export interface CallbackRequest {
  url: string;
  /** Closing statuses to send; every closing status when absent. */
  events?: ClosingStatus[];
}

/** The run whose close the delivery waits for, as stored in Temporal and as the caller names it. */
export interface WatchedRun {
  storedWorkflowId: string;
  workflowId: string;
  runId: string;
}

/** The delivery workflow's input. */
export interface CallbackDeliveryInput {
  run: WatchedRun;
  /** The run's tenant, whose own signing secrets (CALLBACK_SIGNING_SECRETS_BY_TENANT) sign its deliveries if it has any. */
  tenant?: string;
  /** How long each callback keeps retrying, its back-off and one attempt's timeout (from the API's config). */
  retryForMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  attemptTimeoutMs: number;
}

/** How the run closed: the same outcome the result endpoint answers, and when. */
export interface ClosedRun {
  outcome: { workflowId: string; runId: string; status: string; result?: unknown; failure?: unknown };
  closedAt: string;
}

/** One attempt's result, as the activity reports it (a refused or failed attempt is not an exception). */
export interface AttemptResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  httpStatus?: number;
  error?: string;
  /** Never worth retrying (the destination is refused). */
  permanent?: boolean;
}

/** One callback's delivery, as GET /api/workflows/{id}/callbacks lists it. */
export interface DeliveryRecord {
  webhookId: string;
  url: string;
  events?: ClosingStatus[];
  state: 'WAITING' | 'RETRYING' | 'DELIVERED' | 'FAILED' | 'SKIPPED';
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  createdAt: string;
}
