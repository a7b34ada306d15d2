import { setMaxListeners } from 'node:events';
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
import type { Logger } from '../common/logger';
import { accessLog, requestMetrics } from './access-log';
import { consoleRouter } from './console-static';
import { createContextFactory, requestIdOf, responseMetaFromContext, type ApiDeps } from './context';
import { admissionControl } from './admission';
import { docsRouter } from './docs-page';
import { drainingGate } from './draining';
import { errorBody, logServerError } from './errors';
import { healthRouter } from './health';
import { browserSecurity } from './http-security';
import { guardQueryInput, verifyJsonBody } from './json-guard';
import { createApiMetrics } from './metrics';
import { pinInputCoercion, withRestCoercion } from './rest-coercion';
import { TRPC_MAX_BATCH_SIZE } from './route-label';
import { traceRequests } from './trace-requests';
import { buildOpenApiDocument } from './openapi';
import { progressSseHandler } from './progress-sse';
import { appRouter } from './router';
import { createSecurityServices } from './security-services';
import { REST_BASE_PATH } from './rest-paths';

const MAX_BODY_BYTES = 1_000_000;
const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Answers what fails before any procedure runs (body parsing, depth and encoding checks) in the API's error shape,
 * with the request id, and logs it with that id: these never reach tRPC's error hooks.
 */
function bodyErrors(logger: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string; message?: string }, req, res, next) => {
    if (res.headersSent) return next(error);
    const requestId = requestIdOf(req, res);
    if (error.type === 'entity.too.large') {
      res.status(413).json(errorBody(res, 'PAYLOAD_TOO_LARGE', `Request body over ${MAX_BODY_BYTES} bytes`));
    } else if (error.type === 'entity.too.deep' || error.type === 'encoding.invalid') {
      res.status(400).json(errorBody(res, 'BAD_REQUEST', error.message ?? 'Invalid request body'));
    } else if (error.status === 400 || error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
      const status = error.status === 415 ? 415 : 400;
      res
        .status(status)
        .json(
          status === 415
            ? errorBody(res, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON')
            : errorBody(res, 'PARSE_ERROR', 'Request body is not valid JSON'),
        );
    } else {
      logger.error({ requestId, path: req.path, error: error.message }, 'request failed');
      res.status(500).json(errorBody(res, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
      return;
    }
    logger.info(
      {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        type: error.type,
      },
      'request refused',
    );
  };
}

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

/**
 * Builds the Express app: tRPC at /trpc, REST at /api, /openapi.json, /docs, /healthz, /readyz, /metrics, the web
 * console at /. Listens nowhere.
 */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  // Every open wait listens on the drain signal for as long as it lasts: many at once is the normal case.
  setMaxListeners(0, deps.draining);
  app.disable('x-powered-by');
  const metrics = deps.metrics ?? createApiMetrics();
  const security = createSecurityServices(deps.client, deps.config);
  const createContext = createContextFactory({ ...deps, metrics }, security);
  const openApiDocument = buildOpenApiDocument(security.authenticator.schemes);

  app.use((req, res, next) => {
    requestIdOf(req, res); // every answer, errors included, carries x-request-id
    next();
  });
  if (deps.tracing) app.use(traceRequests());
  app.use(accessLog(deps.logger), requestMetrics(metrics));
  app.use(browserSecurity(deps.config, ['/trpc', REST_BASE_PATH]));
  app.use(healthRouter(deps.client, deps.draining));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(drainingGate(deps.draining));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(docsRouter());
  const admission = admissionControl(deps.config.API_MAX_IN_FLIGHT);

  // tRPC reads a body given as a string as is: it is checked (UTF-8, depth, size) here, parsed by tRPC.
  app.use(
    '/trpc',
    admission,
    guardQueryInput,
    express.text({ type: () => true, limit: MAX_BODY_BYTES, verify: verifyJsonBody }),
    createExpressMiddleware({
      router: appRouter,
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      createContext,
      onError: logServerError,
      responseMeta: responseMetaFromContext,
    }),
  );

  // Server-Sent Events are outside what trpc-to-openapi serves; the generator behind them is the tRPC subscription's.
  app.get(`${REST_BASE_PATH}/workflows/:workflowId/events`, progressSseHandler(createContext));

  app.use(
    REST_BASE_PATH,
    admission,
    jsonBodies,
    express.json({ limit: MAX_BODY_BYTES, type: JSON_TYPES, verify: verifyJsonBody }),
  );
  // The node-http handler (not the Express wrapper, which drops `next`): a path no procedure serves falls through
  // to the 404 below, answered in the same shape as every other error.
  pinInputCoercion(appRouter);
  const rest = createOpenApiNodeHttpHandler<typeof appRouter, Request, Response>({
    router: appRouter,
    createContext,
    onError: logServerError,
    responseMeta: responseMetaFromContext,
    maxBodySize: MAX_BODY_BYTES,
  });
  app.use(REST_BASE_PATH, (req, res, next) => withRestCoercion(req.method, () => rest(req, res, next)));

  app.use(consoleRouter());

  app.use((req, res) => {
    res.status(404).json(errorBody(res, 'NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(bodyErrors(deps.logger));
  return app;
}
