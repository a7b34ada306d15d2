import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

/** What the API needs from its process: one long-lived Temporal client, the config and a logger. */
export interface ApiDeps {
  client: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'MAX_WAIT_MS' | 'TEMPORAL_UI_URL'>;
  logger: Logger;
}

/** What a procedure may ask the transport to do with a successful answer (202, Location). */
export interface ResponseHints {
  status?: number;
  headers?: Record<string, string>;
}

export interface Context extends ApiDeps {
  requestId: string;
  /** The raw Idempotency-Key header, validated where it is used. */
  idempotencyKey: string | undefined;
  /** Aborted when the caller goes away, so bounded waits stop holding a Temporal long-poll. */
  signal: AbortSignal;
  response: ResponseHints;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/** Returns the request id the caller sent, or a new one; it is echoed back and written to every log line. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const assigned = res.getHeader(REQUEST_ID_HEADER);
  if (typeof assigned === 'string') return assigned;
  const sent = req.headers[REQUEST_ID_HEADER];
  const id = typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** Builds the per-request context both transports (tRPC and REST) use. */
export function createContextFactory(deps: ApiDeps) {
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Context => {
    const aborter = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborter.abort();
    });
    const idempotencyKey = req.headers['idempotency-key'];
    return {
      ...deps,
      requestId: requestIdOf(req, res),
      idempotencyKey: Array.isArray(idempotencyKey) ? idempotencyKey[0] : idempotencyKey,
      signal: aborter.signal,
      response: {},
    };
  };
}

/** Tells the transport what status and headers a procedure asked for; used as responseMeta by both adapters. */
export function responseMetaFromContext({ ctx, errors }: { ctx?: Context; errors: readonly unknown[] }): ResponseHints {
  if (!ctx || errors.length > 0) return {};
  return ctx.response;
}
