import { WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { callerWorkflowId, callerWorkflowText } from '../auth/tenancy';
import type { Caller } from '../auth/caller';

/**
 * What Temporal threw, in the caller's terms: the SDK's errors name the ID Temporal stores (`<tenant>~<id>`), and the
 * mapped answer (api/errors/mapping.ts) quotes their IDs and messages, so they are rewritten to the caller's own ID
 * before they leave the gateway. A tenant's caller never sees its tenant prefix in an answer.
 */
export function inCallerTerms(caller: Pick<Caller, 'tenant' | 'workflowTypes'>, error: unknown): unknown {
  if (caller.tenant === undefined || !(error instanceof Error)) return error;
  if (error instanceof WorkflowNotFoundError)
    return new WorkflowNotFoundError(
      callerWorkflowText(caller, error.message),
      callerWorkflowId(caller, error.workflowId),
      error.runId,
    );
  if (error instanceof WorkflowExecutionAlreadyStartedError)
    return new WorkflowExecutionAlreadyStartedError(
      callerWorkflowText(caller, error.message),
      callerWorkflowId(caller, error.workflowId),
      error.workflowType,
    );
  // Any other error (a gRPC refusal quoting the execution) keeps its class and cause; only its message is rewritten.
  const message = callerWorkflowText(caller, error.message);
  if (message !== error.message) error.message = message;
  return error;
}
