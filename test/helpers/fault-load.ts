import { setTimeout as sleep } from 'node:timers/promises';

/** How an answer is counted: its status, and for a 503 whether it named the run. */
export type AnswerKind =
  | '200'
  | '202'
  | '503 naming the run'
  | '503 start in doubt'
  | '503 refused before start'
  | '503 hiding a run'
  | 'other'
  | 'reset'
  | 'hang';

export interface CallOutcome {
  key: string;
  /** The workflow ID an answer named (acknowledged with 200/202, or named by a 503). */
  workflowId?: string;
  acknowledged: boolean;
  answers: AnswerKind[];
  /** The longest any single request took, in ms. */
  slowestMs: number;
}

/** A 503 refused before anything started: admission control or a draining API. */
const REFUSED_BEFORE_START = /Overloaded|shutting down/;

function classify(
  status: number,
  body: { message?: string; data?: { details?: Record<string, unknown> } },
): AnswerKind {
  if (status === 200) return '200';
  if (status === 202) return '202';
  if (status !== 503) return 'other';
  const details = body.data?.details ?? {};
  if (details.startInDoubt === true && typeof details.workflowId === 'string') return '503 start in doubt';
  if (typeof details.workflowId === 'string' && typeof details.runId === 'string') return '503 naming the run';
  if (REFUSED_BEFORE_START.test(body.message ?? '')) return '503 refused before start';
  return '503 hiding a run';
}

/**
 * One caller doing what the README tells callers to do: POST with an Idempotency-Key, and on a 503 or a dropped
 * connection wait Retry-After and send the same request again, until acknowledged or `giveUpAt`. Each request has a
 * client deadline of `requestBoundMs`; one that outlasts it is counted as a hang (and retried).
 */
export async function executeUntilAcknowledged(opts: {
  baseUrl: () => string;
  path: string;
  body: Record<string, unknown>;
  key: string;
  requestBoundMs: number;
  giveUpAt: number;
  /** Extra headers on every request (an API key's Authorization). */
  headers?: Record<string, string>;
}): Promise<CallOutcome> {
  const outcome: CallOutcome = { key: opts.key, acknowledged: false, answers: [], slowestMs: 0 };
  while (!outcome.acknowledged && Date.now() < opts.giveUpAt) {
    const startedAt = Date.now();
    let retryAfterMs = 500;
    try {
      const response = await fetch(`${opts.baseUrl()}${opts.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': opts.key, ...opts.headers },
        body: JSON.stringify(opts.body),
        signal: AbortSignal.timeout(opts.requestBoundMs),
      });
      const body = (await response.json().catch(() => ({}))) as {
        workflowId?: string;
        message?: string;
        data?: { details?: Record<string, unknown> };
      };
      const kind = classify(response.status, body);
      outcome.answers.push(kind);
      const named = body.workflowId ?? body.data?.details?.workflowId;
      if (typeof named === 'string') outcome.workflowId = named;
      if (kind === '200' || kind === '202') outcome.acknowledged = true;
      retryAfterMs = Number(response.headers.get('retry-after') ?? '1') * 1000;
    } catch (error) {
      outcome.answers.push(error instanceof Error && error.name === 'TimeoutError' ? 'hang' : 'reset');
    }
    outcome.slowestMs = Math.max(outcome.slowestMs, Date.now() - startedAt);
    if (!outcome.acknowledged) await sleep(retryAfterMs);
  }
  return outcome;
}

/** Counts answers by kind over all callers. */
export function tally(outcomes: CallOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) for (const kind of outcome.answers) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Runs `count` callers, starting one every `spacingMs`, and resolves with all their outcomes. */
export async function runCallers(
  count: number,
  spacingMs: number,
  caller: (index: number) => Promise<CallOutcome>,
): Promise<CallOutcome[]> {
  const running: Promise<CallOutcome>[] = [];
  for (let index = 0; index < count; index++) {
    running.push(caller(index));
    await sleep(spacingMs);
  }
  return Promise.all(running);
}
