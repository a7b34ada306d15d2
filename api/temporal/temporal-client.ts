import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
  type GrpcRetryOptions,
  type WorkflowClientInterceptor,
} from '@temporalio/client';
import { status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../../common/config';
import { temporalConnectionSettings, type TemporalConnectionSettings } from '../../common/temporal-connection';
import type { ApiMetrics } from '../metrics';
import { temporalRequestMetrics, workflowStartMetrics } from './temporal-client-metrics';

// The SDK retries an unavailable server for about 20 s (10 attempts, back-off to 5 s). An HTTP caller is better
// served by a prompt 503 it can retry itself, so the API gives up after a few quick attempts (about 1 s).
const API_RETRY = defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 500 });

// A visibility list answered UNKNOWN could not read the page token it was given (the dev server says "something went
// wrong"): a caller's forged token, which no retry mends. The API answers it at once (400 naming pageToken).
const LIST_CALLS = new Set(
  ['ListWorkflowExecutions', 'ListSchedules'].map((rpc) => `/temporal.api.workflowservice.v1.WorkflowService/${rpc}`),
);
const LIST_RETRY: GrpcRetryOptions = {
  ...API_RETRY,
  retryableDecider: (attempt, status) =>
    status.code !== GrpcStatus.UNKNOWN && API_RETRY.retryableDecider(attempt, status),
};

/** The SDK's retry interceptor with the API's budget; a list call's UNKNOWN (an unreadable page token) is not retried. */
function apiRetryInterceptor(): Interceptor {
  const retry = makeGrpcRetryInterceptor(API_RETRY);
  const listRetry = makeGrpcRetryInterceptor(LIST_RETRY);
  return (options, nextCall) => (LIST_CALLS.has(options.method_definition.path) ? listRetry : retry)(options, nextCall);
}

/**
 * The gRPC channel's reconnect back-off. grpc-js defaults to 1 s growing ×1.6 to 120 s, so after a long outage the
 * API could take minutes to notice Temporal is back (readiness stayed 503 for 14 s after a restart). Capped at 1 s,
 * the channel retries the connection every second at most: one TCP connect attempt a second, cheap for the server.
 */
export const RECONNECT_BACKOFF = { initialMs: 100, maxMs: 1_000 } as const;

/**
 * Connection options of the API's client: the shared settings plus the API's short retry budget, reconnect back-off
 * and (given metrics) call timing.
 */
export function apiConnectionOptions(settings: TemporalConnectionSettings, metrics?: ApiMetrics): ConnectionOptions {
  // The first interceptor is the outermost: a call is timed across its retries.
  const timing = metrics ? [temporalRequestMetrics(metrics)] : [];
  return {
    ...settings,
    interceptors: [...timing, apiRetryInterceptor()],
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF.initialMs,
      'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF.maxMs,
    },
  };
}

/** Connects the API's one Temporal client, shared by every request for the life of the process. */
export async function connectApiClient(config: Config, metrics?: ApiMetrics, tracing = false): Promise<Client> {
  const connection = await Connection.connect(apiConnectionOptions(temporalConnectionSettings(config), metrics));
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: { workflow: apiWorkflowInterceptors(metrics, tracing) },
  });
}

/** The client's workflow interceptors: start metrics and, with tracing on, trace context into workflow headers. */
export function apiWorkflowInterceptors(
  metrics: ApiMetrics | undefined,
  tracing: boolean,
): WorkflowClientInterceptor[] {
  return [
    ...(metrics ? [workflowStartMetrics(metrics)] : []),
    ...(tracing ? [new OpenTelemetryWorkflowClientInterceptor()] : []),
  ];
}
