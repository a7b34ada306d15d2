import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
// EventSource with a fetch hook: the browser's own cannot send an Authorization header.
import { EventSource, type FetchLike } from 'eventsource';
import type { AppRouter } from '../api/router';
import { authorizationHeader } from './session';

const url = new URL('/trpc', location.href).href;

const fetchWithAuth: FetchLike = (input, init) =>
  fetch(input, { ...init, headers: { ...init.headers, ...authorizationHeader() } });

/** The typed client: every call below is checked against the server's router at compile time. */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url, EventSource, eventSourceOptions: () => ({ fetch: fetchWithAuth }) }),
      // The server refuses a batch of more than 10 calls (TRPC_MAX_BATCH_SIZE in api/route-label.ts).
      false: httpBatchLink({ url, maxItems: 10, headers: () => authorizationHeader() }),
    }),
  ],
});

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;
export type Catalog = Outputs['catalog']['workflowTypes'];
export type CatalogEntry = Catalog['workflowTypes'][number];
export type MessageEntry = CatalogEntry['signals'][number];
export type ListInput = Inputs['executions']['list'];
export type ListPage = Outputs['executions']['list'];
export type Description = Outputs['executions']['describe'];
export type Outcome = Outputs['executions']['result'];
export type WorkflowStatus = Description['status'];
export type WorkflowType = keyof Inputs['workflows'] & string;
export type MessageKind = 'signals' | 'queries' | 'updates';

// The console's forms are generated at run time from the catalog, so these calls pick a procedure by name; the
// names they may use are still the router's (a renamed `start` or message kind fails to compile).
type DynamicProcedure = { mutate(input: unknown): Promise<unknown>; query(input: unknown): Promise<unknown> };
type DynamicWorkflows = Record<
  string,
  Record<'start' | MessageKind, Record<string, DynamicProcedure>> & { start: DynamicProcedure }
>;
const workflows = trpc.workflows as unknown as DynamicWorkflows;
const _checkNames: Record<'start' | MessageKind, true> = {
  start: true,
  signals: true,
  queries: true,
  updates: true,
} satisfies Record<keyof Inputs['workflows'][WorkflowType] & ('start' | MessageKind), true>;

/** Starts a workflow of `type` with an input the form produced (the server validates it). */
export function startWorkflow(
  type: string,
  body: { input: unknown; workflowId?: string },
): Promise<Outputs['workflows'][WorkflowType]['start']> {
  return workflows[type]!.start.mutate(body) as Promise<Outputs['workflows'][WorkflowType]['start']>;
}

/** Sends a signal or update, or asks a query, by the names the catalog lists. */
export function sendMessage(
  type: string,
  kind: MessageKind,
  name: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const procedure = workflows[type]![kind][name]!;
  return kind === 'queries' ? procedure.query(input) : procedure.mutate(input);
}

export type ActionLink = Outputs['links']['create'];

/** Makes an action link that sends this signal or update once (README "Action links"); its url is a path here. */
export function createActionLink(workflowId: string, kind: 'signals' | 'updates', name: string): Promise<ActionLink> {
  return trpc.links.create.mutate(kind === 'signals' ? { workflowId, signal: name } : { workflowId, update: name });
}

export type ProgressEvent = Outputs['executions']['events'] extends AsyncIterable<{ data: infer E }> ? E : never;

/**
 * Follows a run's status, progress and outcome until it closes; answers how to stop. The one place the run view's
 * data comes from: issue 11's typed per-type stream (`workflows.<Type>.events`) can replace the untyped one here.
 */
export function watchRun(
  workflowId: string,
  on: { event(event: ProgressEvent): void; error(failure: ApiFailure): void },
): () => void {
  const subscription = trpc.executions.events.subscribe(
    { workflowId },
    { onData: ({ data }) => on.event(data), onError: (error) => on.error(failureOf(error)) },
  );
  return () => subscription.unsubscribe();
}

export interface FieldError {
  path: string;
  message: string;
}

/** What a failed call tells the user: the message, the code, and the fields at fault. */
export interface ApiFailure {
  message: string;
  code: string | undefined;
  fieldErrors: FieldError[];
}

export function failureOf(error: unknown): ApiFailure {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    return { message: error.message, code: data?.code, fieldErrors: data?.fieldErrors ?? [] };
  }
  return { message: error instanceof Error ? error.message : String(error), code: undefined, fieldErrors: [] };
}
