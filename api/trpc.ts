import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context';
import { formatError, toApiError } from './errors';

// initTRPC is called here only; the rest of the API imports what this file exports, never `t`.
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  // isDev false: stack traces never reach a response, whatever NODE_ENV says.
  .create({ errorFormatter: (opts) => formatError(opts), isDev: false });

/** Maps whatever a resolver throws (Temporal errors included) to the API's error codes, in one place. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && result.error.cause) {
    return { ...result, error: toApiError(result.error.cause) };
  }
  return result;
});

/** Records which procedure served the request, so logs and metrics name its route template rather than its URL. */
const recordRoute = t.middleware(({ ctx, path, meta, next }) => {
  ctx.route.procedures.push(path);
  ctx.route.openApiPath ??= meta?.openapi?.path;
  return next();
});

export const router = t.router;
export const publicProcedure = t.procedure.use(recordRoute).use(mapErrors);
export const createCallerFactory = t.createCallerFactory;
