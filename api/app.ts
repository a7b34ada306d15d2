// The API in layers. Imports go down this list, never up (lint refuses a value-import cycle: import-x/no-cycle):
//
//   app.ts, main.ts            wiring: the Express app, the process
//   http/  progress/           the wire: Express middleware, REST extras, OpenAPI, the SSE adapter
//   router.ts  routers/        tRPC procedures (REST comes from the same ones); trpc.ts builds them, auth/ guards them
//   operations/                what a procedure does: start, wait, describe, signal, update, list
//   temporal/gateway.ts        the one way to Temporal: tenant IDs, the start stamp, a deadline on every call
//   temporal/                  the client, its metrics, bounded waits, the service's own calls
//   errors/  request-id.ts     leaves everyone imports: errors/mapping.ts maps, errors/wire.ts writes every answer
//   schemas.ts, context.ts     shapes and the per-request context (types everywhere, values from below)
//
// To add an operation: a function in operations/ that takes the context and calls temporalGateway(ctx); a procedure
// in routers/ with its meta (scope, openapi, successStatus) and zod input/output; errors are thrown as they come.
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
import { accessLog, requestMetrics } from './http/access-log';
import { consoleRouter } from './http/console-static';
import { createContextFactory, responseMetaFromContext, type ApiDeps } from './context';
import { requestIdOf } from './request-id';
import { admissionControl } from './http/admission';
import { docsRouter } from './http/docs-page';
import { drainingGate } from './http/draining';
import { logServerError, refusal, sendError } from './errors/wire';
import { tenantAttributeCheck } from './temporal/tenant-attribute';
import { healthRouter } from './http/health';
import { browserSecurity } from './http/http-security';
import { guardQueryInput, verifyJsonBody } from './http/json-guard';
import { createApiMetrics } from './metrics';
import { registerUndeliveredAge } from './callbacks/undelivered-age';
import { metricsOnPublicPort, scrape } from './http/metrics-server';
import { pinInputCoercion, withRestCoercion } from './http/rest-coercion';
import { TRPC_MAX_BATCH_SIZE } from './http/route-label';
import { traceRequests } from './http/trace-requests';
import { buildOpenApiDocument } from './http/openapi';
import { EVENTS_PATH, progressSseHandler } from './progress/progress-sse';
import { appRouter } from './router';
import { createSecurityServices } from './auth/security-services';
import { opensTrpcStream } from './http/stream-routes';
import { REST_BASE_PATH } from './http/rest-paths';

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
      sendError(res, refusal('PAYLOAD_TOO_LARGE', `Request body over ${MAX_BODY_BYTES} bytes`));
    } else if (error.type === 'entity.too.deep' || error.type === 'encoding.invalid') {
      sendError(res, refusal('BAD_REQUEST', error.message ?? 'Invalid request body'));
    } else if (error.status === 400 || error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
      sendError(
        res,
        error.status === 415
          ? refusal('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as UTF-8 JSON')
          : refusal('PARSE_ERROR', 'Request body is not valid JSON'),
      );
    } else {
      logger.error({ requestId, path: req.path, error: error.message }, 'request failed');
      sendError(res, refusal('INTERNAL_SERVER_ERROR', 'Internal server error'));
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

/** Whether a request says its body is JSON (application/json or application/*+json), whether or not it has one. */
function saysJson(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[^/\s]+\+json$/.test(type);
}

/**
 * A REST POST says its body is JSON, even when it has none (`-H 'content-type: application/json' -d '{}'`); a
 * body-less one is then `{}`. Without the header it is refused (415): a web page may POST across origins without a
 * CORS preflight only with no content type or a form's, so no page a developer opens can make the API act. PUT,
 * PATCH and DELETE always need a preflight, which CORS_ORIGINS governs.
 */
const jsonBodies: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST') return next();
  if (!saysJson(req)) {
    sendError(
      res,
      refusal(
        'UNSUPPORTED_MEDIA_TYPE',
        'Send the request body as JSON, with content-type: application/json (even for {})',
      ),
    );
    return;
  }
  if (!hasBody(req)) req.body = {};
  next();
};

/**
 * Builds the Express app: tRPC at /trpc, REST at /api, /openapi.json, /docs, /healthz, /readyz, /metrics (outside
 * production, unless API_METRICS_PORT serves it), the web console at /. Listens nowhere.
 */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  // Every open wait listens on the drain signal for as long as it lasts: many at once is the normal case.
  setMaxListeners(0, deps.draining);
  app.disable('x-powered-by');
  const metrics = deps.metrics ?? createApiMetrics();
  if (deps.config.CALLBACK_ALLOWED_URLS.length > 0) registerUndeliveredAge(metrics.registry, deps.client);
  const security = createSecurityServices(deps.client, deps.config, deps.logger);
  const createContext = createContextFactory({ ...deps, metrics }, security);
  const openApiDocument = buildOpenApiDocument(security.authenticator.schemes);

  app.use((req, res, next) => {
    requestIdOf(req, res); // every answer, errors included, carries x-request-id
    next();
  });
  if (deps.tracing) app.use(traceRequests());
  app.use(accessLog(deps.logger), requestMetrics(metrics));
  app.use(browserSecurity(deps.config, ['/trpc', REST_BASE_PATH]));
  app.use(healthRouter(deps.client, deps.draining, tenantAttributeCheck(deps.client, deps.config)));
  if (metricsOnPublicPort(deps.config))
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await scrape(metrics.registry);
      res.type(contentType).send(body);
    });
  app.use(drainingGate(deps.draining));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(docsRouter());
  // The REST stream route is served above the REST mount, so admission never sees it; tRPC's are told by procedure.
  const admission = admissionControl(deps.config.API_MAX_IN_FLIGHT, opensTrpcStream(appRouter));

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
  app.get(REST_BASE_PATH + EVENTS_PATH, progressSseHandler(createContext));

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
    sendError(res, refusal('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(bodyErrors(deps.logger));
  return app;
}
