import type { Request, Response } from 'express';
import { authenticateRequest, authorize } from '../auth/guard';
import type { AuthedContext, Context } from '../context';
import { errorBody, logServerError, RETRY_AFTER_SECONDS, sendApiError, toApiError } from '../errors/mapping';
import { openProgressStream, type ProgressStream } from './progress-stream';
import { openStream } from '../auth/rate-limits';
import { executionsRouter } from '../routers/executions-router';
import { workflowIdSchema } from '../schemas';
import type { ApiMeta } from '../trpc';

const KEEP_ALIVE_MS = 15_000;
/** The `retry:` hint of a stream this replica ends (draining, Temporal unavailable): reconnect after a second. */
const RECONNECT_HINT_MS = RETRY_AFTER_SECONDS * 1000;

// This route serves the executions.events subscription: its scope is declared once, in that procedure's meta.
export const EVENTS_SCOPE = (executionsRouter._def.procedures.events._def.meta as ApiMeta | undefined)?.scope;

/**
 * GET /api/workflows/:workflowId/events — the progress stream as Server-Sent Events, for curl and EventSource.
 * The same generator feeds the tRPC subscription `executions.events`. A browser's EventSource resends
 * Last-Event-ID on reconnect; the stream resumes from there.
 */
export function progressSseHandler(createContext: (opts: { req: Request; res: Response }) => Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const requestCtx = createContext({ req, res });
    let ctx: AuthedContext;
    try {
      ctx = { ...requestCtx, caller: await authenticateRequest(requestCtx) };
      await authorize(ctx, EVENTS_SCOPE);
    } catch (error) {
      sendApiError(res, requestCtx, error, 'executions.events');
      return;
    }
    const workflowId = workflowIdSchema.safeParse(req.params.workflowId);
    if (!workflowId.success) {
      res
        .status(400)
        .json(errorBody(res, 'BAD_REQUEST', `Invalid request: workflowId: ${workflowId.error.issues[0]?.message}`));
      return;
    }
    const lastEventId =
      req.header('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    let stream: ProgressStream;
    let release: () => void;
    try {
      release = openStream(ctx); // the caller's cap on open streams: 429 past it
      try {
        // A 404 (or 503) is still an ordinary JSON error; the first snapshot comes from the shared watcher.
        stream = await openProgressStream(ctx, workflowId.data, lastEventId);
      } catch (error) {
        release();
        throw error;
      }
    } catch (error) {
      sendApiError(res, ctx, error, 'executions.events');
      return;
    }
    const { current } = stream;
    // Resuming a closed workflow past its last event: 204 tells EventSource to stop reconnecting.
    if (current.status !== 'RUNNING' && lastEventId !== undefined && Number(lastEventId) >= current.historyLength) {
      stream.close();
      release();
      res.status(204).end();
      return;
    }
    // Headers go out at once, so a quiet workflow (waiting a day for approval) still gets keep-alives.
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const { events } = stream;
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    try {
      for await (const { id, event } of events) {
        res.write(
          `id: ${id}\nevent: ${event.status === 'RUNNING' ? 'progress' : 'closed'}\ndata: ${JSON.stringify(event)}\n\n`,
        );
      }
      // Ended by the drain, not by the workflow: EventSource reconnects after `retry` ms, with Last-Event-ID, and a
      // load balancer sends it to another replica.
      if (ctx.draining.aborted) res.write(`retry: ${RECONNECT_HINT_MS}\nevent: draining\ndata: {}\n\n`);
    } catch (error) {
      const trpcError = toApiError(error);
      logServerError({ error: trpcError, ctx, path: 'events' });
      res.write(
        `retry: ${RECONNECT_HINT_MS}\nevent: error\ndata: ${JSON.stringify({ code: trpcError.code, message: trpcError.code === 'INTERNAL_SERVER_ERROR' ? 'Internal server error' : trpcError.message })}\n\n`,
      );
    } finally {
      release();
      clearInterval(keepAlive);
      res.end();
    }
  };
}
