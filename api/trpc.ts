import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { Context } from './context';
import { formatError, toApiError } from './errors';
import { successResponse } from './success-status';

/** What a procedure declares about itself, once; middleware, the response hook and the OpenAPI builder read it. */
export interface ApiMeta extends OpenApiMeta {
  // (issue 8, security: `scope?: Scope` goes here)
  /** The route's success status: 202 for routes that record a request and answer before the work is done. */
  successStatus?: 200 | 202;
  /** Answers 202 with Location when the answer is still pending (RUNNING or ACCEPTED with resultUrl), else 200. */
  acceptedWhenPending?: true;
  /** A valid request body (from the contract's exampleInput): the OpenAPI example /docs pre-fills. */
  example?: unknown;
}

// initTRPC is called here only; the rest of the API imports what this file exports, never `t`.
const t = initTRPC
  .context<Context>()
  .meta<ApiMeta>()
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

/** Sets the success status the procedure's meta declares; the transports' responseMeta hook sends it. */
const declaredStatus = t.middleware(async ({ meta, ctx, next }) => {
  const result = await next();
  if (result.ok) Object.assign(ctx.response, successResponse(meta, result.data));
  return result;
});

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors).use(declaredStatus);
export const createCallerFactory = t.createCallerFactory;
