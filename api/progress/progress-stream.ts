import { z } from 'zod';
import { workflowContracts } from '../../workflows/contracts';
import { ANONYMOUS_CALLER } from '../auth/caller';
import { temporalGateway, type GatewayCtx } from '../temporal/gateway';
import { inCallerTerms } from '../temporal/caller-terms';
import type { AuthedContext, Context } from '../context';
import { watchWorkflow, type Snapshot, type TakeSnapshot } from './progress-watcher';
import { untypedOutcomeSchema, workflowStatusSchema } from '../schemas';
import { describeWorkflow, outcomeOf } from '../operations/workflow-operations';

const NEVER = new AbortController().signal;

export const progressEventSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  type: z.string(),
  status: workflowStatusSchema,
  historyLength: z.number().int(),
  progress: z.unknown().optional().describe("The answer of the workflow's progress query, while it runs"),
  outcome: untypedOutcomeSchema.optional().describe('Once closed: the result or the failure'),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

/** An event and its id: the workflow's history length, which only grows, so a reconnecting client resumes from it. */
export interface IdentifiedEvent {
  id: string;
  event: ProgressEvent;
}

const progressQueryByType = new Map<string, string>(
  workflowContracts.flatMap((contract) =>
    'progressQuery' in contract && contract.progressQuery
      ? [[contract.workflowType, contract.progressQuery] as const]
      : [],
  ),
);

async function progressOf(ctx: GatewayCtx, workflowId: string, type: string): Promise<unknown> {
  const query = progressQueryByType.get(type);
  if (!query) return undefined;
  // Progress is best effort: a busy or restarting worker must not end the stream; the gateway's deadline keeps it
  // from stalling it.
  return temporalGateway(ctx)
    .run(workflowId)
    .query(query)
    .catch(() => undefined);
}

/**
 * A snapshot of the workflow now, shared by every subscriber of its watcher. The watcher is keyed by the stored
 * (tenant-namespaced) ID and shared across callers, so it reads as the service itself; each subscriber's own access
 * was checked when it subscribed.
 */
function snapshotOf(ctx: Pick<Context, 'client' | 'config'>, workflowId: string): TakeSnapshot<ProgressEvent> {
  return async (stop) => {
    const opCtx = { ...ctx, signal: stop, draining: NEVER, caller: ANONYMOUS_CALLER };
    const description = await describeWorkflow(opCtx, workflowId);
    const closed = description.status !== 'RUNNING';
    const event: ProgressEvent = {
      workflowId,
      runId: description.runId,
      type: description.type,
      status: description.status,
      historyLength: description.historyLength,
      progress: closed ? undefined : await progressOf(opCtx, workflowId, description.type),
      outcome: closed ? await outcomeOf(opCtx, workflowId, 0) : undefined,
    };
    return { id: description.historyLength, event, closed };
  };
}
/** An open progress stream: the workflow as it was when the stream opened, and the events to send. */
export interface ProgressStream {
  current: ProgressEvent;
  events: AsyncGenerator<IdentifiedEvent>;
  /** Leaves the watcher; iterating `events` to its end (or breaking off) does it too. */
  close(): void;
}

/**
 * Opens a stream of a workflow's status and progress, which runs until the workflow closes, the caller goes away or
 * the API drains. Each event is a snapshot, sent whenever the workflow's history has grown since the last (or since
 * `lastEventId`, after a dropped connection). Every subscriber of one workflow in this process shares one watcher
 * (api/progress/progress-watcher.ts), so N subscribers cost Temporal what one does; a subscriber that joins a watched workflow
 * costs no call at all. Rejects (e.g. NOT_FOUND) before anything is streamed.
 */
export async function openProgressStream(
  ctx: Pick<AuthedContext, 'client' | 'config' | 'signal' | 'draining' | 'caller' | 'metrics'>,
  workflowId: string,
  lastEventId?: string,
): Promise<ProgressStream> {
  // A restricted caller may only see its tenant's runs and its types: one describe says so (404 otherwise). The
  // watcher itself is shared by every caller, keyed by the stored (tenant-namespaced) ID.
  if (ctx.caller.tenant !== undefined || ctx.caller.workflowTypes !== undefined)
    await describeWorkflow(ctx, workflowId);
  const storedId = temporalGateway(ctx).storedId(workflowId);
  let lastSent = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
  const queue: Snapshot<ProgressEvent>[] = [];
  let ended: { error?: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const stop = AbortSignal.any([ctx.signal, ctx.draining]);
  stop.addEventListener('abort', notify);
  const unsubscribe = watchWorkflow(ctx, storedId, snapshotOf(ctx, storedId), {
    deliver: (snapshot) => {
      queue.push(snapshot);
      notify();
    },
    end: (error) => {
      ended = { error };
      notify();
    },
  });
  ctx.metrics.progressStreamsOpen.inc();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    ctx.metrics.progressStreamsOpen.dec();
    stop.removeEventListener('abort', notify);
    unsubscribe();
  };
  const nextChange = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });

  while (queue.length === 0 && !ended && !stop.aborted) await nextChange();
  const first = queue[0]?.event;
  // The shared watcher's events name the stored ID; each subscriber's name its own (the outcome's too).
  const forCaller = (event: ProgressEvent): ProgressEvent => ({
    ...event,
    workflowId,
    outcome: event.outcome && { ...event.outcome, workflowId },
  });
  const current = first && forCaller(first);
  if (!current) {
    close();
    throw ended?.error === undefined
      ? new Error('the progress stream closed before its first snapshot')
      : inCallerTerms(ctx.caller, ended.error);
  }

  async function* events(): AsyncGenerator<IdentifiedEvent> {
    try {
      for (;;) {
        for (let snapshot = queue.shift(); snapshot; snapshot = queue.shift()) {
          if (snapshot.id <= lastSent) continue;
          lastSent = snapshot.id;
          yield { id: String(snapshot.id), event: forCaller(snapshot.event) };
        }
        if (ended) {
          // The watcher is shared and reads as the service: its errors name the stored ID, the caller's do not.
          if (ended.error !== undefined) throw inCallerTerms(ctx.caller, ended.error);
          return;
        }
        if (stop.aborted) return;
        await nextChange();
      }
    } finally {
      close();
    }
  }
  return { current, events: events(), close };
}
