import type { IncomingMessage } from 'node:http';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { consoleRouter } from './console-static';
import { createContextFactory, requestIdOf, responseMetaFromContext, type ApiDeps } from './context';
import { docsRouter } from './docs-page';
import { errorBody, logServerError } from './errors';
import { healthRouter } from './health';
import { buildOpenApiDocument } from './openapi';
import { progressSseHandler } from './progress-sse';
import { appRouter } from './router';
import { REST_BASE_PATH } from './workflow-operations';

const MAX_BODY_BYTES = 1_000_000;
const JSON_TYPES = ['application/json', 'application/*+json'];

/** Answers body-parser failures (bad JSON, too large) in the API's error shape instead of Express's HTML. */
const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
  if (res.headersSent) return next(error);
  if (error.type === 'entity.too.large') {
    res.status(413).json(errorBody(res, 'PAYLOAD_TOO_LARGE', `Request body over ${MAX_BODY_BYTES} bytes`));
  } else if (error.status === 400) {
    res.status(400).json(errorBody(res, 'PARSE_ERROR', 'Request body is not valid JSON'));
  } else {
    res.status(500).json(errorBody(res, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
  }
};

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** REST bodies are JSON; a POST with no body at all (curl -X POST …/cancel) means "no fields". */
const jsonBodies: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') return next();
  if (!req.headers['content-type'] && !hasBody(req)) {
    req.headers['content-type'] = 'application/json';
    req.body = {};
    return next();
  }
  if (!req.is(JSON_TYPES)) {
    res
      .status(415)
      .json(errorBody(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON (content-type: application/json)'));
    return;
  }
  next();
};

/** Builds the Express app: tRPC at /trpc, REST at /api, /openapi.json, /docs, /healthz, /readyz, the web console at /. Listens nowhere. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const createContext = createContextFactory(deps);
  const openApiDocument = buildOpenApiDocument();

  app.use((req, res, next) => {
    requestIdOf(req, res); // every answer, errors included, carries x-request-id
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

  app.use(REST_BASE_PATH, jsonBodies, express.json({ limit: MAX_BODY_BYTES, type: JSON_TYPES }));
  // The node-http handler (not the Express wrapper, which drops `next`): a path no procedure serves falls through
  // to the 404 below, answered in the same shape as every other error.
  const rest = createOpenApiNodeHttpHandler<typeof appRouter, Request, Response>({
    router: appRouter,
    createContext,
    onError: logServerError,
    responseMeta: responseMetaFromContext,
    maxBodySize: MAX_BODY_BYTES,
  });
  app.use(REST_BASE_PATH, (req, res, next) => rest(req, res, next));

  app.use(consoleRouter());

  app.use((req, res) => {
    res.status(404).json(errorBody(res, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(bodyErrors);
  return app;
}
