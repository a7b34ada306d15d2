// The embedded Temporal dev server's settings: one definition for `npm run dev`, the tests, the benchmarks and
// the dev-server compose variant (test/compose.test.ts checks the compose file against this list).
//
// The dev server is a single host with one history shard. Its history service reads each task queue (transfer:
// hand-offs to workers; timer: timers, retries, timeouts; visibility: what list/describe-by-query see) at most
// `*ProcessorMaxPollRPS` times a second, 20 by default, sized for a cluster with many shards. On one shard that
// rate limit is the whole server's: above ~5 workflows/s every hand-off waits for the next 50 ms tick. A production
// cluster sizes these itself (README: "The embedded Temporal server"); nothing here applies to one.

import { SERVICE_SEARCH_ATTRIBUTES } from '../common/search-attributes';

/** Dynamic-config values `start-dev` gets, each measured (docs/benchmarks.md, "Dev-server settings"). */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  // Hand-offs of workflow and activity tasks to matching: 3 per YourWorkflow, each waited up to 50 ms at 20/s.
  'history.transferProcessorMaxPollRPS': 10_000,
  // Timers, activity retries and timeouts fire through this queue.
  'history.timerProcessorMaxPollRPS': 10_000,
  // A new timer may not fire sooner than this after the timer queue's last read (1 s by default): without it every
  // timer, retry back-off or timeout shorter than a second fires after about a second.
  'history.timerProcessorMaxTimeShift': '10ms',
  // How soon a started or closed run shows in list queries.
  'history.visibilityProcessorMaxPollRPS': 10_000,
  // The TS worker asks for eager activities; the server must allow them (saves a hand-off per activity).
  'system.enableActivityEagerExecution': true,
  // Tasks dispatched fairly between fairness keys (each run's tenant: api/auth/fairness.ts), in proportion to their
  // weights, instead of first in, first out: one tenant's backlog no longer holds up the others (implies the new
  // matcher). Measured in docs/benchmarks.md, "B16".
  'matching.enableFairness': true,
  // Queries a run may have waiting while one of its workflow tasks is in flight (1 by default): the console polls a
  // run's status beside its progress stream, and a second query in that window is refused and retried later.
  'history.MaxBufferedQueryCount': 16,
  // One host: one task-queue partition, so polls and tasks always meet in the same place.
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** Search attributes the service relies on, registered by `start-dev` (a cluster registers them with the CLI). */
export const DEV_SERVER_SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = SERVICE_SEARCH_ATTRIBUTES;

/**
 * The `temporal server start-dev` flags for the settings above (without address, ports or storage). `omit` leaves
 * out dynamic-config keys: the benchmark's "Dev-server settings" comparison runs the server without each in turn.
 */
export function devServerSettingsArgs(omit: readonly string[] = []): string[] {
  const dynamic = Object.entries(DEV_SERVER_DYNAMIC_CONFIG)
    .filter(([key]) => !omit.includes(key))
    .flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
  const attributes = Object.entries(DEV_SERVER_SEARCH_ATTRIBUTES).flatMap(([name, type]) => [
    '--search-attribute',
    `${name}=${type}`,
  ]);
  return [...dynamic, ...attributes];
}
