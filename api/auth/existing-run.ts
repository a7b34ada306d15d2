import { ApiError } from '../errors/mapping';
import type { Caller } from './caller';
import type { Scope } from './scopes';
import { isVisible } from './tenancy';

/** What a start would do to a run that already holds its workflow ID, and the scope that effect needs. */
export interface ExistingRunEffect {
  /** For the 403: "terminate", "signal", "read the result of". */
  action: string;
  /** The scope the effect needs beyond workflows:start; undefined when attaching to the run is all it does. */
  scope?: Scope;
  /** The run must be of the type being started (a signal or update meant for one type must not reach another). */
  sameType: boolean;
}

interface ExistingRun {
  type: string;
  runId: string;
  memo?: Record<string, unknown> | undefined;
}

/** A 409 that says the ID is taken and nothing of the run holding it: the caller may not see that run. */
export function idInUse(workflowId: string, cause?: unknown): ApiError {
  return new ApiError({
    code: 'CONFLICT',
    message: `Workflow ID "${workflowId}" is in use`,
    details: { workflowId },
    cause,
  });
}

/** 403 naming the scope the caller lacks for what a start option or a with-start call would do. */
export function requireScope(caller: Pick<Caller, 'scopes'>, scope: Scope, action: string): void {
  if (caller.scopes.includes(scope)) return;
  throw new ApiError({
    code: 'FORBIDDEN',
    message: `Missing scope ${scope}: needed to ${action} a run that already holds this workflow ID`,
    details: { requiredScope: scope, callerScopes: [...caller.scopes] },
  });
}

/**
 * A start may act on a running run that holds its workflow ID (terminate it, signal it, update it, answer with its
 * result) only when the caller could act on it directly: the run is the caller's to see (else a 409 that tells
 * nothing of it), of the type being started where the effect needs that, and the caller holds the effect's scope.
 */
export function checkExistingRun(
  caller: Pick<Caller, 'scopes' | 'tenant' | 'workflowTypes'>,
  workflowType: string,
  workflowId: string,
  run: ExistingRun,
  effect: ExistingRunEffect,
): void {
  if (!isVisible(caller, run)) throw idInUse(workflowId);
  if (effect.sameType && run.type !== workflowType) {
    throw new ApiError({
      code: 'CONFLICT',
      message: `Workflow "${workflowId}" is a running ${run.type}, not a ${workflowType}`,
      details: { workflowId, workflowType: run.type, existingRunId: run.runId },
    });
  }
  if (effect.scope !== undefined) requireScope(caller, effect.scope, effect.action);
}
