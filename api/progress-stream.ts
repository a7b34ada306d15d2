import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { workflowContracts } from '../workflows/contracts';
import type { Context } from './context';
import { untypedOutcomeSchema, workflowStatusSchema } from './schemas';
import { describeWorkflow, outcomeOf } from './workflow-operations';

const POLL_INTERVAL_MS = 500;

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

async function progressOf(ctx: Pick<Context, 'client'>, workflowId: string, type: string): Promise<unknown> {
  const query = progressQueryByType.get(type);
  if (!query) return undefined;
  // Progress is best effort: a busy or restarting worker must not end the stream.
  return ctx.client.workflow
    .getHandle(workflowId)
    .query(query)
    .catch(() => undefined);
}

/**
 * Streams a workflow's status and progress until it closes. Each event is a snapshot; one is sent whenever the
 * workflow's history has grown since the last (or since `lastEventId`, after a dropped connection).
 */
export async function* progressEvents(
  ctx: Pick<Context, 'client' | 'config' | 'signal' | 'metrics'>,
  workflowId: string,
  lastEventId?: string,
): AsyncGenerator<IdentifiedEvent> {
  ctx.metrics.progressStreamsOpen.inc();
  try {
    yield* pollProgress(ctx, workflowId, lastEventId);
  } finally {
    ctx.metrics.progressStreamsOpen.dec();
  }
}

async function* pollProgress(
  ctx: Pick<Context, 'client' | 'config' | 'signal'>,
  workflowId: string,
  lastEventId?: string,
): AsyncGenerator<IdentifiedEvent> {
  let lastSent = lastEventId !== undefined && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1;
  while (!ctx.signal.aborted) {
    const description = await describeWorkflow(ctx, workflowId);
    const closed = description.status !== 'RUNNING';
    if (description.historyLength > lastSent) {
      const event: ProgressEvent = {
        workflowId,
        runId: description.runId,
        type: description.type,
        status: description.status,
        historyLength: description.historyLength,
        progress: closed ? undefined : await progressOf(ctx, workflowId, description.type),
        outcome: closed ? await outcomeOf(ctx, workflowId, 0) : undefined,
      };
      lastSent = description.historyLength;
      yield { id: String(lastSent), event };
    }
    if (closed) return;
    await sleep(POLL_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}
