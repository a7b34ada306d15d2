import {
  defaultPayloadConverter,
  workflowInfo,
  type Headers,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { CALLER_MEMO_KEY, ACTIVITY_REQUEST_ID_HEADER, REQUEST_ID_MEMO_KEY } from '../../common/request-context';

function requestIdOfWorkflow(): string | undefined {
  const requestId = workflowInfo().memo?.[REQUEST_ID_MEMO_KEY];
  return typeof requestId === 'string' ? requestId : undefined;
}

function withRequestId(headers: Headers): Headers {
  const requestId = requestIdOfWorkflow();
  if (requestId === undefined) return headers;
  return { ...headers, [ACTIVITY_REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

/**
 * The request id the API recorded in the memo goes on the workflow's log lines and, as a header, to its activities
 * (whose worker-side interceptor puts it on theirs).
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(attributes, next) {
        const requestId = requestIdOfWorkflow();
        const caller = workflowInfo().memo?.[CALLER_MEMO_KEY];
        return next({
          ...attributes,
          ...(requestId === undefined ? {} : { requestId }),
          ...(typeof caller === 'string' ? { caller } : {}),
        });
      },
      scheduleActivity(input, next) {
        return next({ ...input, headers: withRequestId(input.headers) });
      },
      scheduleLocalActivity(input, next) {
        return next({ ...input, headers: withRequestId(input.headers) });
      },
    },
  ],
});
