import type { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';

// Why a run did not complete, in the documented shape (api/schemas.ts failureSchema): the result endpoint answers
// it and the completion webhook carries it, so both processes build it here.

export interface FailureLink {
  type: string;
  message: string;
  applicationErrorType?: string;
  timeoutType?: string;
  nonRetryable?: boolean;
}
export type FailureInfo = FailureLink & { causes: FailureLink[] };

function failureLink(error: Error): FailureLink {
  return {
    type: error.name,
    message: error.message,
    applicationErrorType: error instanceof ApplicationFailure ? (error.type ?? undefined) : undefined,
    timeoutType: error instanceof TimeoutFailure ? (error.timeoutType ?? undefined) : undefined,
    nonRetryable: error instanceof ApplicationFailure ? (error.nonRetryable ?? undefined) : undefined,
  };
}

/** Flattens Temporal's failure chain (e.g. ActivityFailure → TimeoutFailure) into the documented shape. */
export function failureInfoOf(error: WorkflowFailedError): FailureInfo {
  const chain: Error[] = [];
  for (let link: unknown = error.cause ?? error; link instanceof Error && chain.length < 10; link = link.cause)
    chain.push(link);
  const [outer, ...causes] = chain as [Error, ...Error[]];
  return { ...failureLink(outer), causes: causes.map(failureLink) };
}
