import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Latency buckets in seconds: from a cache hit (5 ms) to the longest bounded wait a caller may ask for (MAX_WAIT_MS).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The API's Prometheus metrics, in one registry per app. Every name is listed in the README's Operations section and
 * used by deploy/grafana/temporal-http.json; labels are templates and enums, never IDs.
 */
export interface ApiMetrics {
  readonly registry: Registry;
  /** HTTP requests by method, route template and status code; `_count` is the request count. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Workflow starts (start, execute, signal-with-start, update-with-start) by type and result. */
  readonly workflowStarts: Counter<'workflow_type' | 'result'>;
  /** Calls from the API's Temporal client to the server, by RPC name and gRPC status (OK or the error's code). */
  readonly temporalRequestDuration: Histogram<'rpc' | 'status'>;
  /** Progress streams open now (SSE and tRPC subscriptions). */
  readonly progressStreamsOpen: Gauge;
}

/** Creates the API's metrics; `processMetrics` adds prom-client's process and Node.js runtime metrics (once per process). */
export function createApiMetrics(options: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests served by the API, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    workflowStarts: new Counter({
      name: 'temporal_http_workflow_starts_total',
      help: 'Workflow starts asked of Temporal by the API, by workflow type and result (started, already_started, failed)',
      labelNames: ['workflow_type', 'result'],
      registers: [registry],
    }),
    temporalRequestDuration: new Histogram({
      name: 'temporal_http_client_request_duration_seconds',
      help: "Calls from the API's Temporal client to the Temporal server, by RPC and gRPC status (OK or the error's code)",
      labelNames: ['rpc', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    progressStreamsOpen: new Gauge({
      name: 'temporal_http_progress_streams_open',
      help: 'Progress streams (Server-Sent Events and tRPC subscriptions) open now',
      registers: [registry],
    }),
  };
}

/** Seconds since `startedAt` (from process.hrtime.bigint()). */
export function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}
