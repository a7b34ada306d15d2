import {
  continueAsNew,
  // eslint-disable-next-line @typescript-eslint/no-restricted-imports -- internal workflow: no contract to type it from
  defineSignal,
  metricMeter,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  ADD_CALLBACK_SIGNAL,
  DELIVERIES_MEMO_KEY,
  RUN_CLOSED_AT_MEMO_KEY,
  type AttemptResult,
  type CallbackDeliveryInput,
  type CallbackRequest,
  type ClosedRun,
  type DeliveryRecord,
} from '../common/callbacks/delivery';

// One run's completion webhooks. Started (signal-with-start) by the API right after Temporal accepted the run, it
// waits for that run to close, then delivers each callback with its own retries: exponential back-off with jitter,
// for CALLBACK_RETRY_FOR_MS, the same webhook-id on every attempt. Everything it knows is in its history, so API
// and worker restarts lose nothing; its deliveries are also in its memo, so listing them needs no worker.

export const addCallbackSignal = defineSignal<[CallbackRequest]>(ADD_CALLBACK_SIGNAL);

// Counted on the worker's own metrics endpoint (the SDK's exporter; not again on replay). Made inside the workflow:
// metricMeter exists only in a workflow context (the registry test imports this module outside one).
function deliveryMetrics() {
  return {
    deliveries: metricMeter.createCounter(
      'temporal_http_callback_deliveries', // the exporter adds _total
      '1',
      'Callbacks settled, by outcome: delivered, failed (gave up or refused), skipped (status not asked for)',
    ),
    attempts: metricMeter.createCounter(
      'temporal_http_callback_attempts',
      '1',
      'Delivery attempts, by outcome: ok, failed',
    ),
    lag: metricMeter.createHistogram(
      'temporal_http_callback_delivery_lag', // the exporter adds the unit: _seconds
      'float',
      'seconds',
      'From the run closing to its callback delivered',
    ),
  };
}
type DeliveryMetrics = ReturnType<typeof deliveryMetrics>;

/** Where a delivery workflow that continued as new takes up its state. */
export interface CallbackDeliveryState {
  callbacks: { request: CallbackRequest; record: DeliveryRecord }[];
}

const { awaitRunClose } = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes', // one long-poll slice is 10 minutes
  heartbeatTimeout: '30 seconds', // a killed worker's wait is taken up by another within this
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The receiver's URL as listed: no query string (it may carry a token). */
function shownUrl(url: string): string {
  const [base = url] = url.split(/[?#]/);
  return url.includes('?') ? `${base}?…` : base;
}

function newRecord(request: CallbackRequest): DeliveryRecord {
  return {
    webhookId: `msg_${uuid4().replace(/-/g, '')}`,
    url: shownUrl(request.url),
    ...(request.events ? { events: request.events } : {}),
    state: 'WAITING',
    attempts: 0,
    createdAt: new Date(Date.now()).toISOString(),
  };
}

const PUBLISH_CLOSE = 'publish-run-closed-at';

/** Delivers a run's completion webhooks, durably (see README "Callbacks"). Internal: not in the public catalog. */
export async function callbackDeliveryWorkflow(
  input: CallbackDeliveryInput,
  state: CallbackDeliveryState = { callbacks: [] },
): Promise<DeliveryRecord[]> {
  const { callbacks } = state;
  // Once the run has closed, the memo says when: the API's gauge of the oldest undelivered callback reads it.
  let closed: ClosedRun | null = null;
  const publish = (): void =>
    upsertMemo({
      [DELIVERIES_MEMO_KEY]: callbacks.map((callback) => callback.record),
      ...(closed ? { [RUN_CLOSED_AT_MEMO_KEY]: closed.closedAt } : {}),
    });
  setHandler(addCallbackSignal, (request) => {
    // The same callback twice (a retried start) is one delivery.
    if (callbacks.some((callback) => callback.request.url === request.url)) return;
    callbacks.push({ request, record: newRecord(request) });
    publish();
  });

  while (closed === null) {
    closed = await awaitRunClose(input.run);
    if (closed === null && workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof callbackDeliveryWorkflow>(input, { callbacks });
  }
  // Published at once, before the first attempt (runs that closed before this change publish with their attempts).
  if (patched(PUBLISH_CLOSE)) publish();
  const deadline = Date.now() + input.retryForMs;
  const metrics = deliveryMetrics();
  const delivering = new Set<DeliveryRecord>();
  const runs: Promise<void>[] = [];
  // Callbacks that arrive while others are being delivered (a late signal) are delivered too.
  for (;;) {
    const fresh = callbacks.filter(({ record }) => record.state === 'WAITING' && !delivering.has(record));
    if (fresh.length === 0) break;
    for (const callback of fresh) {
      delivering.add(callback.record);
      runs.push(deliver(input, callback, closed, deadline, publish, metrics));
    }
    await Promise.all(runs);
  }
  return callbacks.map((callback) => callback.record);
}

/** The pause before attempt `attempt + 1`: exponential, capped, with full jitter on its upper half. */
function backoffMs(input: CallbackDeliveryInput, attempt: number): number {
  const exponential = Math.min(input.maxIntervalMs, input.initialIntervalMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + (Math.random() * exponential) / 2); // the sandbox's Math.random is seeded
}

async function deliver(
  input: CallbackDeliveryInput,
  { request, record }: CallbackDeliveryState['callbacks'][number],
  closed: ClosedRun,
  deadline: number,
  publish: () => void,
  metrics: DeliveryMetrics,
): Promise<void> {
  if (request.events && !request.events.some((status) => status === closed.outcome.status)) {
    record.state = 'SKIPPED';
    metrics.deliveries.add(1, { outcome: 'skipped' });
    return publish();
  }
  const { deliverWebhook } = proxyActivities<Activities>({
    startToCloseTimeout: input.attemptTimeoutMs + 5_000,
    retry: { maximumAttempts: 1 }, // this loop retries, with its own back-off, and records each attempt
  });
  for (;;) {
    record.attempts += 1;
    record.lastAttemptAt = new Date(Date.now()).toISOString();
    let result: AttemptResult;
    try {
      result = await deliverWebhook({
        url: request.url,
        webhookId: record.webhookId,
        closed,
        attemptTimeoutMs: input.attemptTimeoutMs,
        ...(input.tenant === undefined ? {} : { tenant: input.tenant }),
      });
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? (error.cause ?? error).toString() : String(error) };
    }
    metrics.attempts.add(1, { outcome: result.ok ? 'ok' : 'failed' });
    record.lastStatus = result.httpStatus;
    record.lastError = result.error;
    if (result.ok) {
      record.state = 'DELIVERED';
      record.deliveredAt = new Date(Date.now()).toISOString();
      record.nextAttemptAt = undefined;
      metrics.deliveries.add(1, { outcome: 'delivered' });
      metrics.lag.record((Date.now() - Date.parse(closed.closedAt)) / 1000);
      return publish();
    }
    const pause = backoffMs(input, record.attempts);
    if (result.permanent || Date.now() + pause > deadline) {
      record.state = 'FAILED';
      record.nextAttemptAt = undefined;
      metrics.deliveries.add(1, { outcome: 'failed' });
      return publish();
    }
    record.state = 'RETRYING';
    record.nextAttemptAt = new Date(Date.now() + pause).toISOString();
    publish();
    await sleep(pause);
  }
}
