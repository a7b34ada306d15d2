import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { ACTIVITY_REQUEST_ID_HEADER } from '../common/request-context';

/** Puts the request id that the workflow passed in a header on the activity's log lines (after "Activity started"). */
export const activityRequestContext: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const header = input.headers[ACTIVITY_REQUEST_ID_HEADER];
        const value: unknown = header ? defaultPayloadConverter.fromPayload(header) : undefined;
        if (typeof value === 'string') requestId = value;
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attributes, next) {
        return next(requestId === undefined ? attributes : { ...attributes, requestId });
      },
    },
  };
};
