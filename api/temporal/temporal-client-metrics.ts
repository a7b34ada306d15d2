import { InterceptingCall, status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { secondsSince, type ApiMetrics } from '../metrics';

const statusNames = new Map<number, string>(
  Object.entries(GrpcStatus).flatMap(([name, code]) => (typeof code === 'number' ? [[code, name] as const] : [])),
);

/**
 * Times every call the API's client makes to Temporal, retries included (it sits outside the retry interceptor), and
 * labels it with the gRPC status, so errors are the calls whose status is not OK.
 */
export function temporalRequestMetrics(metrics: ApiMetrics): Interceptor {
  return (options, nextCall) => {
    const rpc = options.method_definition.path.slice(options.method_definition.path.lastIndexOf('/') + 1);
    const startedAt = process.hrtime.bigint();
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            metrics.temporalRequestDuration.observe(
              { rpc, status: statusNames.get(status.code) ?? String(status.code) },
              secondsSince(startedAt),
            );
            nextStatus(status);
          },
        });
      },
    });
  };
}

type StartResult = 'started' | 'already_started' | 'failed';

async function counted<T>(metrics: ApiMetrics, workflowType: string, start: () => Promise<T>): Promise<T> {
  let result: StartResult = 'failed';
  try {
    const started = await start();
    result = 'started';
    return started;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) result = 'already_started';
    throw error;
  } finally {
    metrics.workflowStarts.inc({ workflow_type: workflowType, result });
  }
}

/** Counts workflow starts by type and result, whichever API operation (start, execute, …-with-start) made them. */
export function workflowStartMetrics(metrics: ApiMetrics): WorkflowClientInterceptor {
  return {
    startWithDetails: (input, next) => counted(metrics, input.workflowType, () => next(input)),
    signalWithStart: (input, next) => counted(metrics, input.workflowType, () => next(input)),
    startUpdateWithStart: (input, next) => counted(metrics, input.workflowType, () => next(input)),
  };
}
