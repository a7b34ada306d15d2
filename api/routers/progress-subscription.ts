import { tracked, type TrackedEnvelope } from '@trpc/server';
import { z } from 'zod';
import type { AuthedContext } from '../context';
import { ApiError, toApiError } from '../errors/mapping';
import { requireWorkflow } from '../operations/message-operations';
import {
  openProgressStream,
  type IdentifiedEvent,
  type ProgressEvent,
  type ProgressStream,
} from '../progress/progress-stream';
import { openStream } from '../auth/rate-limits';
import { workflowIdSchema } from '../schemas';

export const eventsInputSchema = z.strictObject({ workflowId: workflowIdSchema, lastEventId: z.string().optional() });

/**
 * The body of the progress subscriptions (`executions.events`, and `workflows.<Type>.events`, which first checks
 * the workflow is of its type): tracked events, so a reconnecting client resumes from the last id it saw. The REST
 * SSE route is a thin adapter over the same object: it calls the procedure (authentication, scope, input and error
 * mapping are the procedure's middleware) and then `open()`s it to answer before it streams.
 */
export class ProgressSubscription implements AsyncIterable<TrackedEnvelope<ProgressEvent>> {
  constructor(
    private readonly ctx: AuthedContext,
    private readonly input: z.output<typeof eventsInputSchema>,
    private readonly signal: AbortSignal,
    private readonly workflowType?: string,
  ) {}

  /** Takes one of the caller's stream slots (429 past the cap) and waits for the first snapshot (404 if none). */
  async open(): Promise<ProgressStream> {
    const release = once(openStream(this.ctx));
    try {
      const { ctx, input, workflowType } = this;
      if (workflowType !== undefined) await requireWorkflow(ctx, input.workflowId, workflowType, false);
      const stream = await openProgressStream({ ...ctx, signal: this.signal }, input.workflowId, input.lastEventId);
      async function* events(): AsyncGenerator<IdentifiedEvent> {
        try {
          yield* stream.events;
        } finally {
          release();
        }
      }
      return {
        current: stream.current,
        events: events(),
        close: () => {
          stream.close();
          release();
        },
      };
    } catch (error) {
      release();
      throw toApiError(error);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TrackedEnvelope<ProgressEvent>> {
    try {
      for await (const { id, event } of (await this.open()).events) yield tracked(id, event);
      // Ended by this replica's drain: an error the client's retry link reconnects on, from the last tracked id.
      if (this.ctx.draining.aborted && !this.signal.aborted)
        throw new ApiError({ code: 'SERVICE_UNAVAILABLE', message: 'This API instance is shutting down; reconnect' });
    } catch (error) {
      // Thrown while streaming, after mapErrors has seen the generator: map here, or NOT_FOUND reaches the client
      // as INTERNAL_SERVER_ERROR, which httpSubscriptionLink retries forever.
      throw toApiError(error);
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

/** The progress subscription of a procedure call: its stream is opened when it is iterated (tRPC) or opened (SSE). */
export function trackedProgress(
  ctx: AuthedContext,
  input: z.output<typeof eventsInputSchema>,
  signal: AbortSignal | undefined,
  workflowType?: string,
): ProgressSubscription {
  const stop = signal ? AbortSignal.any([signal, ctx.signal]) : ctx.signal;
  return new ProgressSubscription(ctx, input, stop, workflowType);
}
