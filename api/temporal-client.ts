import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
  type WorkflowClientInterceptor,
} from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../common/config';
import { temporalConnectionSettings, type TemporalConnectionSettings } from '../common/temporal-connection';
import type { ApiMetrics } from './metrics';
import { temporalRequestMetrics, workflowStartMetrics } from './temporal-client-metrics';

// The SDK retries an unavailable server for about 20 s (10 attempts, back-off to 5 s). An HTTP caller is better
// served by a prompt 503 it can retry itself, so the API gives up after a few quick attempts (about 1 s).
const API_RETRY = defaultGrpcRetryOptions({ maxAttempts: 4, maxIntervalMs: () => 500 });

/** Connection options of the API's client: the shared settings plus the API's short retry budget (and its metrics). */
export function apiConnectionOptions(settings: TemporalConnectionSettings, metrics?: ApiMetrics): ConnectionOptions {
  // The first interceptor is the outermost: a call is timed across its retries.
  const timing = metrics ? [temporalRequestMetrics(metrics)] : [];
  return { ...settings, interceptors: [...timing, makeGrpcRetryInterceptor(API_RETRY)] };
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
