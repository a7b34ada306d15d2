import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { createOpenApiExpressMiddleware } from 'trpc-to-openapi';
import { createContextFactory, requestIdOf, responseMetaFromContext, type ApiDeps } from './context';
import { docsRouter } from './docs-page';
import { logServerError } from './errors';
import { healthRouter } from './health';
import { buildOpenApiDocument } from './openapi';
import { progressSseHandler } from './progress-sse';
import { appRouter } from './router';
import { REST_BASE_PATH } from './workflow-operations';

const MAX_BODY_BYTES = 1_000_000;

/** Answers body-parser failures (bad JSON, too large) in the API's error shape instead of Express's HTML. */
const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, req, res, next) => {
  if (res.headersSent) return next(error);
  const tooLarge = error.type === 'entity.too.large';
  const status = tooLarge ? 413 : error.status && error.status < 500 ? error.status : 500;
  const code = tooLarge
    ? 'PAYLOAD_TOO_LARGE'
    : status === 400
      ? 'PARSE_ERROR'
      : status < 500
        ? 'BAD_REQUEST'
        : 'INTERNAL_SERVER_ERROR';
  const message = tooLarge
    ? 'Request body too large'
    : status === 400
      ? 'Request body is not valid JSON'
      : status < 500
        ? 'Bad request'
        : 'Internal server error';
  res.status(status).json({ code, message, requestId: requestIdOf(req, res) });
};

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Builds the Express app: tRPC at /trpc, REST at /api, /openapi.json, /docs, /healthz, /readyz. Listens nowhere. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const createContext = createContextFactory(deps);
  const openApiDocument = buildOpenApiDocument();

  app.use((req, res, next) => {
    requestIdOf(req, res); // every response, errors included, carries x-request-id
    next();
  });
  app.use(healthRouter(deps.client));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(docsRouter());

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext,
      onError: logServerError,
      responseMeta: responseMetaFromContext,
    }),
  );

  // Server-Sent Events are outside what trpc-to-openapi serves; the generator behind them is the tRPC subscription's.
  app.get(`${REST_BASE_PATH}/workflows/:workflowId/events`, progressSseHandler(createContext));

  // JSON bodies with any JSON content type (charset included) are parsed here, once.
  app.use(REST_BASE_PATH, express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));
  app.use(REST_BASE_PATH, (req, _res, next) => {
    // A POST with no body at all (curl -X POST .../cancel) means "no fields", not "unsupported media type".
    if (req.method === 'POST' && req.body === undefined && !req.headers['content-type'] && !hasBody(req)) {
      req.headers['content-type'] = 'application/json';
      req.body = {};
    }
    next();
  });
  app.use(
    REST_BASE_PATH,
    createOpenApiExpressMiddleware({
      router: appRouter,
      createContext,
      onError: logServerError,
      responseMeta: responseMetaFromContext,
      maxBodySize: MAX_BODY_BYTES,
    }),
  );

  app.use((req, res) => {
    res
      .status(404)
      .json({ code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}`, requestId: requestIdOf(req, res) });
  });
  app.use(bodyErrors);
  return app;
}
