import type { Request, Response } from 'express';
import type { Context } from '../context';
import { RETRY_AFTER_SECONDS } from '../errors/mapping';
import { sendError, sseErrorData } from '../errors/wire';
import type { ProgressStream } from './progress-stream';
import { ProgressSubscription } from '../routers/progress-subscription';
import { appRouter } from '../router';
import { executionsRouter } from '../routers/executions-router';
import { createCallerFactory, type ApiMeta } from '../trpc';

const KEEP_ALIVE_MS = 15_000;
/** The `retry:` hint of a stream this replica ends (draining, Temporal unavailable): reconnect after a second. */
const RECONNECT_HINT_MS = RETRY_AFTER_SECONDS * 1000;

// This route serves the executions.events subscription: its scope is declared once, in that procedure's meta.
export const EVENTS_SCOPE = (executionsRouter._def.procedures.events._def.meta as ApiMeta | undefined)?.scope;
/** The route's path under /api; logs and metrics label the route with it. */
export const EVENTS_PATH = '/workflows/:workflowId/events';
const PROCEDURE = 'executions.events';
const callProcedure = createCallerFactory(appRouter);

/**
 * GET /api/workflows/:workflowId/events — the progress stream as Server-Sent Events, for curl and EventSource.
 * A thin adapter over the tRPC subscription `executions.events`: the same procedure guards it and feeds it. A browser's EventSource resends
 * Last-Event-ID on reconnect; the stream resumes from there.
 */
export function progressSseHandler(createContext: (opts: { req: Request; res: Response }) => Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const ctx = createContext({ req, res });
    ctx.route.openApiPath = EVENTS_PATH;
    const lastEventId =
      req.header('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
    let stream: ProgressStream;
    try {
      // The subscription's own procedure: authentication, scope, input and error mapping, as over tRPC.
      const subscription = await callProcedure(ctx).executions.events({
        workflowId: String(req.params.workflowId),
        lastEventId,
      });
      if (!(subscription instanceof ProgressSubscription))
        throw new Error(`${PROCEDURE} is not a ProgressSubscription`);
      // The caller's stream slot (429 past it); a 404 (or 503) is still an ordinary JSON error.
      stream = await subscription.open();
    } catch (error) {
      sendError(res, error, { ctx, path: PROCEDURE });
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
      res.write(`retry: ${RECONNECT_HINT_MS}\nevent: error\ndata: ${sseErrorData(error, { ctx, path: 'events' })}\n\n`);
    } finally {
      stream.close();
      clearInterval(keepAlive);
      res.end();
    }
  };
}
