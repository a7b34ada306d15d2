import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import {
  CALLBACK_DELIVERY_WORKFLOW_TYPE,
  DELIVERIES_MEMO_KEY,
  RUN_CLOSED_AT_MEMO_KEY,
  type DeliveryRecord,
} from '../../common/callbacks/delivery';
import { openWorkflowMemos } from '../temporal/service';

// The age of the oldest callback still waiting to be delivered, computed at scrape time from what Temporal's
// visibility holds about the open delivery workflows (every replica reads the same truth; a worker only knows the
// attempts it ran itself). A delivery counts from its run's close until it is delivered, skipped or given up.

/** The gauge's name (README "Metrics"). */
export const OLDEST_UNDELIVERED_METRIC = 'temporal_http_callback_oldest_undelivered_age_seconds';
/** How long a scrape waits for visibility; past it, the gauge keeps its last value. */
const SCRAPE_TIMEOUT_MS = 2_000;
/** Open delivery workflows read per scrape, at most. */
const SCAN_LIMIT = 10_000;
const PENDING: readonly DeliveryRecord['state'][] = ['WAITING', 'RETRYING'];

/** Seconds since the oldest closed run whose callbacks are still pending, among these delivery memos; 0 if none. */
export function oldestUndeliveredAgeSeconds(memos: readonly Record<string, unknown>[], now = Date.now()): number {
  let oldest = now;
  for (const memo of memos) {
    const closedAt = memo[RUN_CLOSED_AT_MEMO_KEY];
    const records = (memo[DELIVERIES_MEMO_KEY] ?? []) as DeliveryRecord[];
    if (typeof closedAt !== 'string' || !records.some((record) => PENDING.includes(record.state))) continue;
    const at = Date.parse(closedAt);
    if (at < oldest) oldest = at;
  }
  return Math.max(0, (now - oldest) / 1000);
}

/** Registers the gauge on `registry` (once), read from Temporal at every scrape. */
export function registerUndeliveredAge(registry: Registry, client: Client): void {
  if (registry.getSingleMetric(OLDEST_UNDELIVERED_METRIC)) return;
  new Gauge({
    name: OLDEST_UNDELIVERED_METRIC,
    help: 'Age of the oldest callback still waiting to be delivered (since its run closed), 0 when none; read from Temporal at scrape time',
    registers: [registry],
    async collect() {
      try {
        const memos = await openWorkflowMemos(client, CALLBACK_DELIVERY_WORKFLOW_TYPE, {
          timeoutMs: SCRAPE_TIMEOUT_MS,
          limit: SCAN_LIMIT,
        });
        this.set(oldestUndeliveredAgeSeconds(memos));
      } catch {
        // Temporal did not answer in time: the last value stands (the API's own Temporal metrics show why).
      }
    },
  });
}
