import type { Request, Response } from 'express';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Context } from './context';
import { errorBody, formatError, logServerError, RETRY_AFTER_SECONDS, toApiError } from './errors';
import { openProgressStream, type ProgressStream } from './progress-stream';
import { workflowIdSchema } from './schemas';

const KEEP_ALIVE_MS = 15_000;
/** The `retry:` hint of a stream this replica ends (draining, Temporal unavailable): reconnect after a second. */
const RECONNECT_HINT_MS = RETRY_AFTER_SECONDS * 1000;

function sendError(res: Response, ctx: Context, error: unknown): void {
  const trpcError = toApiError(error);
  logServerError({ error: trpcError, ctx, path: 'events' });
  const status = getHTTPStatusCodeFromError(trpcError);
  const shape = formatError({
    shape: {
      message: trpcError.message,
      code: TRPC_ERROR_CODES_BY_KEY[trpcError.code],
      data: { code: trpcError.code, httpStatus: status },
    },
    error: trpcError,
    ctx,
  });
  res.status(status).json({ message: shape.message, code: trpcError.code, data: shape.data });
}

/**
 * GET /api/workflows/:workflowId/events — the progress stream as Server-Sent Events, for curl and EventSource.
 * The same generator feeds the tRPC subscription `executions.events`. A browser's EventSource resends
 * Last-Event-ID on reconnect; the stream resumes from there.
 */
export function progressSseHandler(createContext: (opts: { req: Request; res: Response }) => Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const ctx = createContext({ req, res });
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
    try {
      // A 404 (or 503) is still an ordinary JSON error; the first snapshot comes from the shared watcher.
      stream = await openProgressStream(ctx, workflowId.data, lastEventId);
    } catch (error) {
      sendError(res, ctx, error);
      return;
    }
    const { current } = stream;
    // Resuming a closed workflow past its last event: 204 tells EventSource to stop reconnecting.
    if (current.status !== 'RUNNING' && lastEventId !== undefined && Number(lastEventId) >= current.historyLength) {
      stream.close();
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
      clearInterval(keepAlive);
      res.end();
    }
  };
}
