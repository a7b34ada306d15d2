import { tracked, type TrackedEnvelope } from '@trpc/server';
import { z } from 'zod';
import type { AuthedContext } from '../context';
import { ApiError, toApiError } from '../errors/mapping';
import { requireWorkflow } from '../operations/message-operations';
import { progressEvents, type ProgressEvent } from '../progress/progress-stream';
import { openStream } from '../auth/rate-limits';
import { workflowIdSchema } from '../schemas';

export const eventsInputSchema = z.strictObject({ workflowId: workflowIdSchema, lastEventId: z.string().optional() });

/**
 * The body of the progress subscriptions (`executions.events`, and `workflows.<Type>.events`, which first checks
 * the workflow is of its type): tracked events, so a reconnecting client resumes from the last id it saw.
 */
export async function* trackedProgress(
  ctx: AuthedContext,
  input: z.output<typeof eventsInputSchema>,
  signal: AbortSignal | undefined,
  workflowType?: string,
): AsyncGenerator<TrackedEnvelope<ProgressEvent>> {
  const stop = signal ? AbortSignal.any([signal, ctx.signal]) : ctx.signal;
  const release = openStream(ctx);
  try {
    if (workflowType !== undefined) await requireWorkflow(ctx, input.workflowId, workflowType, false);
    for await (const { id, event } of progressEvents({ ...ctx, signal: stop }, input.workflowId, input.lastEventId)) {
      yield tracked(id, event);
    }
    // Ended by this replica's drain: an error the client's retry link reconnects on, from the last tracked id.
    if (ctx.draining.aborted && !stop.aborted)
      throw new ApiError({ code: 'SERVICE_UNAVAILABLE', message: 'This API instance is shutting down; reconnect' });
  } catch (error) {
    // Thrown while streaming, after mapErrors has seen the generator: map here, or NOT_FOUND reaches the client
    // as INTERNAL_SERVER_ERROR, which httpSubscriptionLink retries forever.
    throw toApiError(error);
  } finally {
    release();
  }
}
