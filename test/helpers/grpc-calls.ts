import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';

/** The calls a progress watcher or a wait makes about one workflow. */
const WATCH_METHODS = ['GetWorkflowExecutionHistory', 'DescribeWorkflowExecution', 'QueryWorkflow'] as const;
export type WatchMethod = (typeof WATCH_METHODS)[number];
type Decoder = { decode(bytes: Uint8Array): { execution?: { workflowId?: string | null } | null } };
const requestTypes = temporal.api.workflowservice.v1 as unknown as Record<string, Decoder>;

/**
 * Counts the calls a client makes to Temporal, per workflow ID and method, by decoding each request: a test waits
 * for the call it needs to have happened (a long poll begun) instead of sleeping.
 */
export function grpcCallCounter(): {
  interceptor: Interceptor;
  count(workflowId: string, method?: WatchMethod): number;
} {
  const calls: { workflowId: string; method: string }[] = [];
  const interceptor: Interceptor = (options, nextCall) => {
    const method = options.method_definition.path.split('/').pop() ?? '';
    return new InterceptingCall(nextCall(options), {
      sendMessage(message: Uint8Array, next) {
        const decoder = requestTypes[`${method}Request`];
        if (WATCH_METHODS.includes(method as WatchMethod) && decoder) {
          calls.push({ method, workflowId: decoder.decode(message).execution?.workflowId ?? '' });
        }
        next(message);
      },
    });
  };
  return {
    interceptor,
    count: (workflowId, method) =>
      calls.filter((call) => call.workflowId === workflowId && (!method || call.method === method)).length,
  };
}
