import type { QueryContract, SignalContract, UpdateContract, WorkflowContract } from '../../workflows/contract';
import { assertSignedByCaller } from '../auth/signed-by';
import { withCallback } from '../callbacks/register-callback';
import { idempotencyKeyHeader, updateIdFromKey } from '../operations/idempotency';
import { runQuery, runUpdate, sendSignal, signalWithStart, updateWithStart } from '../operations/message-operations';
import {
  queryInputSchema,
  signaledSchema,
  signalInputSchema,
  signalWithStartInputSchema,
  updateInputSchema,
  updateWithStartInputSchema,
  updateWithStartOutputSchema,
} from '../message-schemas';
import { startedSchema, updateOutcomeSchema } from '../schemas';
import { chargeWait } from '../auth/rate-limits';
import { typeRoute, type RouteMeta } from './type-route';
import {
  typed,
  type QueryProcedures,
  type SignalProcedures,
  type SignalWithStartProcedures,
  type UpdateProcedures,
  type UpdateWithStartProcedures,
} from './typed-procedures';

const MESSAGE_ERRORS = {
  400: 'Invalid input, or the workflow is of another type',
  404: 'No workflow with this ID',
  409: 'The workflow is closed',
  503: 'Temporal unavailable',
};

/** A message route's input: the message's own fields plus the workflow ID from the path. */
type MessageInput = { workflowId: string } & Record<string, unknown>;

function mapRecord<V, P>(record: Record<string, V>, build: (name: string, entry: V) => P): Record<string, P> {
  return Object.fromEntries(Object.entries(record).map(([name, entry]) => [name, build(name, entry)]));
}

/**
 * Each kind of message route: the scope it needs, its method, and its path: `/workflows/{workflowId}/<segment>/<name>`
 * for a message to a workflow by ID, `/workflows/<type>/<segment>/<name>` for one that may start it.
 */
const MESSAGE_ROUTES = {
  signal: { scope: 'workflows:signal', method: 'POST', byId: true, segment: 'signals' },
  query: { scope: 'workflows:read', method: 'GET', byId: true, segment: 'queries' },
  update: { scope: 'workflows:signal', method: 'POST', byId: true, segment: 'updates' },
  signalWithStart: { scope: 'workflows:start', method: 'POST', byId: false, segment: 'signal-with-start' },
  updateWithStart: { scope: 'workflows:start', method: 'POST', byId: false, segment: 'update-with-start' },
} as const;

/** The procedure behind one message's route: scope, method and path from its kind, the rest as declared. */
function messageRoute(
  kind: keyof typeof MESSAGE_ROUTES,
  workflowType: string,
  name: string,
  {
    openapi,
    ...meta
  }: Omit<RouteMeta, 'scope' | 'openapi'> & {
    openapi: Omit<RouteMeta['openapi'], 'method' | 'path'>;
  },
) {
  const { scope, method, byId, segment } = MESSAGE_ROUTES[kind];
  const path = `/workflows/${byId ? '{workflowId}' : workflowType}/${segment}/${name}` as const;
  return typeRoute(workflowType, { scope, openapi: { method, path, ...openapi }, ...meta });
}

function signalProcedure(workflowType: string, name: string, signal: SignalContract) {
  return messageRoute('signal', workflowType, name, {
    openapi: {
      summary: `Signal ${workflowType}: ${name}`,
      description: `${signal.description} Answers 202 once Temporal has recorded the signal.`,
      successDescription: 'Signal recorded (202)',
      errorResponses: MESSAGE_ERRORS,
    },
    successStatus: 202,
    example: signal.exampleInput,
  })
    .input(signalInputSchema(signal.input))
    .output(signaledSchema)
    .mutation(async ({ ctx, input }) => {
      const { workflowId, ...args } = input as MessageInput;
      await sendSignal(ctx, workflowType, workflowId, name, args, () => assertSignedByCaller(ctx.caller, signal, args));
      return { workflowId, signal: name, status: 'SIGNALED' as const };
    });
}

function queryProcedure(workflowType: string, name: string, query: QueryContract) {
  return messageRoute('query', workflowType, name, {
    openapi: {
      summary: `Query ${workflowType}: ${name}`,
      description: query.description,
      errorResponses: {
        ...MESSAGE_ERRORS,
        409: 'The workflow is closed and rejects queries',
        501: 'The worker does not answer this query',
      },
    },
  })
    .input(queryInputSchema(query.input))
    .output(query.output)
    .query(({ ctx, input }) => runQuery(ctx, workflowType, (input as MessageInput).workflowId, name));
}

function updateProcedure(workflowType: string, name: string, update: UpdateContract) {
  return messageRoute('update', workflowType, name, {
    openapi: {
      summary: `Update ${workflowType}: ${name}`,
      description:
        `${update.description} 200 with the result; 202 with resultUrl if the update outlasts waitMs; 422 with the ` +
        "workflow's reason when its validator rejects the update. An Idempotency-Key header becomes the update ID, so a retried update runs once.",
      requestHeaders: idempotencyKeyHeader,
      errorResponses: { ...MESSAGE_ERRORS, 422: 'The workflow rejected the update (the reason is the message)' },
    },
    acceptedWhenPending: true,
    example: update.exampleInput,
  })
    .input(updateInputSchema(update.input))
    .output(updateOutcomeSchema(update.output))
    .mutation(async ({ ctx, input }) => {
      const { workflowId, waitMs, ...args } = input as MessageInput & { waitMs: number };
      return runUpdate(ctx, {
        workflowType,
        workflowId,
        name,
        args,
        waitMs,
        updateId: updateIdFromKey(ctx.idempotencyKey),
      });
    });
}

function signalWithStartProcedure(contract: WorkflowContract, name: string, signal: SignalContract) {
  const type = contract.workflowType;
  return messageRoute('signalWithStart', type, name, {
    openapi: {
      summary: `Signal ${type} with ${name}, starting it first if it is not running`,
      description: `Atomically starts ${type} with input unless a run with workflowId is open, then delivers the ${name} signal.`,
      errorResponses: { 400: 'Invalid input', 503: 'Temporal unavailable' },
    },
    example: { workflowId: `${type}-example`, input: contract.exampleInput, signal: signal.exampleInput ?? {} },
  })
    .input(signalWithStartInputSchema(contract.input, signal.input))
    .output(startedSchema)
    .mutation(({ ctx, input }) => {
      assertSignedByCaller(ctx.caller, signal, input.signal);
      return withCallback(ctx, input.callback, () =>
        signalWithStart(ctx, {
          workflowType: type,
          workflowId: input.workflowId,
          input: input.input,
          signalName: name,
          signalArgs: input.signal,
        }),
      );
    });
}

function updateWithStartProcedure(contract: WorkflowContract, name: string, update: UpdateContract) {
  const type = contract.workflowType;
  return messageRoute('updateWithStart', type, name, {
    openapi: {
      summary: `Start ${type} and answer at its ${name} milestone (early return)`,
      description: `Starts ${type} unless a run with workflowId is open, sends the ${name} update and answers with its result while the workflow goes on; 202 with resultUrl if the update outlasts waitMs.`,
      requestHeaders: idempotencyKeyHeader,
      errorResponses: { 400: 'Invalid input', 422: 'The workflow rejected the update', 503: 'Temporal unavailable' },
    },
    acceptedWhenPending: true,
    example: { workflowId: `${type}-example`, input: contract.exampleInput, update: update.exampleInput ?? {} },
  })
    .input(updateWithStartInputSchema(contract.input, update.input))
    .output(updateWithStartOutputSchema(update.output))
    .mutation(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      return withCallback(ctx, input.callback, () =>
        updateWithStart(ctx, {
          workflowType: type,
          workflowId: input.workflowId,
          input: input.input,
          updateName: name,
          updateArgs: input.update,
          updateId: updateIdFromKey(ctx.idempotencyKey),
          waitMs: input.waitMs,
        }),
      );
    });
}

/** The message procedures of one contract: its signals, queries and updates, and their with-start forms. */
export function messageProcedures<C extends WorkflowContract>(contract: C) {
  const type = contract.workflowType;
  return {
    signals: typed<SignalProcedures<C>>(
      mapRecord(contract.signals, (name, signal) => signalProcedure(type, name, signal)),
    ),
    queries: typed<QueryProcedures<C>>(mapRecord(contract.queries, (name, query) => queryProcedure(type, name, query))),
    updates: typed<UpdateProcedures<C>>(
      mapRecord(contract.updates, (name, update) => updateProcedure(type, name, update)),
    ),
    signalWithStart: typed<SignalWithStartProcedures<C>>(
      mapRecord(contract.signals, (name, signal) => signalWithStartProcedure(contract, name, signal)),
    ),
    updateWithStart: typed<UpdateWithStartProcedures<C>>(
      mapRecord(contract.updates, (name, update) => updateWithStartProcedure(contract, name, update)),
    ),
  };
}
