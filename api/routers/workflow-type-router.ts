import type { WorkflowContract } from '../../workflows/contract';
import { withCallback } from '../callbacks/register-callback';
import { idempotencyKeyHeader } from '../operations/idempotency';
import { requireWorkflow } from '../operations/message-operations';
import { executeInputSchema, outcomeSchema, resultInputSchema, startedSchema, startInputSchema } from '../schemas';
import { chargeWait } from '../auth/rate-limits';
import { protectedProcedure, router } from '../trpc';
import { typeRoute, type RouteMeta } from './type-route';
import { outcomeOf, outcomeOfStarted, startWorkflow } from '../operations/workflow-operations';
import { messageProcedures } from './message-procedures';
import { eventsInputSchema, trackedProgress } from './progress-subscription';
import { typed, type WorkflowTypeProcedures } from './typed-procedures';

const START_ERRORS = {
  400: 'Invalid input (issues and data.fieldErrors name the field)',
  409: 'A workflow with this ID is running (data.details.existingRunId names it)',
  422: 'The Idempotency-Key was used with a different request',
  503: 'Temporal unavailable',
};

/** The route of a start (start, execute): POST at the type's path, its scope, Idempotency-Key, errors and example. */
function startRoute(
  contract: WorkflowContract,
  suffix: '' | '/execute',
  {
    openapi,
    ...meta
  }: Omit<RouteMeta, 'scope' | 'openapi' | 'example'> & {
    openapi: Omit<RouteMeta['openapi'], 'method' | 'path' | 'requestHeaders' | 'errorResponses'>;
  },
) {
  const type = contract.workflowType;
  return typeRoute(type, {
    scope: 'workflows:start',
    openapi: {
      method: 'POST',
      path: `/workflows/${type}${suffix}`,
      ...openapi,
      requestHeaders: idempotencyKeyHeader,
      errorResponses: START_ERRORS,
    },
    ...meta,
    example: { input: contract.exampleInput },
  });
}

function startProcedure(contract: WorkflowContract) {
  const type = contract.workflowType;
  return startRoute(contract, '', {
    openapi: { summary: `Start ${type}: ${contract.summary}`, description: contract.description },
  })
    .input(startInputSchema(contract.input))
    .output(startedSchema)
    .mutation(({ ctx, input }) => withCallback(ctx, input.callback, () => startWorkflow(ctx, type, input)));
}

function executeProcedure(contract: WorkflowContract) {
  const type = contract.workflowType;
  return startRoute(contract, '/execute', {
    openapi: {
      summary: `Execute ${type} and wait for its result`,
      description: `${contract.description} Answers 200 with the outcome once the workflow closes, or 202 with status RUNNING and resultUrl when waitMs passes first.`,
      successDescription: 'The outcome (200), or RUNNING with resultUrl (202)',
    },
    acceptedWhenPending: true,
  })
    .input(executeInputSchema(contract.input))
    .output(outcomeSchema(contract.output))
    .mutation(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      const started = await withCallback(ctx, input.callback, () =>
        startWorkflow(ctx, type, input, { answersResult: true }),
      );
      return outcomeOfStarted(ctx, started.workflowId, started.runId, input.waitMs);
    });
}

// tRPC only: REST clients hold an ID and use GET /api/workflows/{workflowId}/result, whose path space is keyed by
// workflow ID (a per-type REST path would shadow IDs equal to a type name); the OpenAPI document types that result
// per workflow type through each type's execute route.
function resultProcedure(contract: WorkflowContract) {
  const type = contract.workflowType;
  return protectedProcedure
    .meta({ scope: 'workflows:read' })
    .input(resultInputSchema)
    .output(outcomeSchema(contract.output))
    .query(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      await requireWorkflow(ctx, input.workflowId, type, false);
      return outcomeOf(ctx, input.workflowId, input.waitMs);
    });
}

function eventsProcedure(contract: WorkflowContract) {
  return protectedProcedure
    .meta({ scope: 'workflows:read' })
    .input(eventsInputSchema)
    .subscription(({ ctx, input, signal }) => trackedProgress(ctx, input, signal, contract.workflowType));
}

/** The procedures one workflow type gets from its contract: start, execute, result, events, and its messages. */
export function workflowTypeRouter<C extends WorkflowContract>(contract: C) {
  const messages = messageProcedures(contract);
  const procedures = typed<WorkflowTypeProcedures<C>>({
    /** Starts the workflow and answers with its workflow and run IDs at once. */
    start: startProcedure(contract),
    /** Starts the workflow and answers with its result; 202 with where to look when it outlasts the wait. */
    execute: executeProcedure(contract),
    /** This type's outcome by workflow ID, its result typed by the contract (400 for a workflow of another type). */
    result: resultProcedure(contract),
    /** This type's progress stream, its progress typed by the contract's progress query (tRPC subscription). */
    events: eventsProcedure(contract),
  });
  return router({
    ...procedures,
    signals: router(messages.signals),
    queries: router(messages.queries),
    updates: router(messages.updates),
    signalWithStart: router(messages.signalWithStart),
    updateWithStart: router(messages.updateWithStart),
  });
}
