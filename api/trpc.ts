import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { admitStarts, authenticateRequest, authorize } from './auth/guard';
import type { Scope } from './auth/scopes';
import type { Context } from './context';
import { toApiError } from './errors/mapping';
import { formatError } from './errors/wire';
import { successResponse } from './http/success-status';

/** What a procedure declares about itself, once; middleware, the response hook and the OpenAPI builder read it. */
export interface ApiMeta extends OpenApiMeta {
  /** The scope a caller must hold; every procedure behind protectedProcedure declares one (a test checks). */
  scope?: Scope;
  /** The route's success status: 202 for routes that record a request and answer before the work is done. */
  successStatus?: 200 | 202;
  /** Answers 202 with Location when the answer is still pending (RUNNING or ACCEPTED with resultUrl), else 200. */
  acceptedWhenPending?: true;
  /**
   * Public: no credentials, the action-link token in the path authorises the request (api/links/). The only
   * procedures without a scope besides the scope-free ones a test lists; the OpenAPI document marks them public.
   */
  linkToken?: true;
  /** A valid request body (from the contract's exampleInput): the OpenAPI example /docs pre-fills. */
  example?: unknown;
}

// initTRPC is called here only; the rest of the API imports what this file exports, never `t`.
const t = initTRPC
  .context<Context>()
  .meta<ApiMeta>()
  // isDev false: stack traces never reach a response, whatever NODE_ENV says.
  .create({ errorFormatter: (opts) => formatError(opts), isDev: false });

/** Maps whatever a resolver throws (Temporal errors, invalid input) to the API's error codes, in one place. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) return { ...result, error: toApiError(result.error) };
  return result;
});

/** Sets the success status the procedure's meta declares; the transports' responseMeta hook sends it. */
const declaredStatus = t.middleware(async ({ meta, ctx, next }) => {
  const result = await next();
  if (result.ok) Object.assign(ctx.response, successResponse(meta, result.data));
  return result;
});

/** Resolves the caller once per request; the request's logger names it from here on. */
const authenticated = t.middleware(async ({ ctx, next }) => {
  const caller = await authenticateRequest(ctx);
  return next({ ctx: { caller, logger: ctx.logger.child({ caller: caller.name }) } });
});

/** Records which procedure served the request, so logs and metrics name its route template rather than its URL. */
const recordRoute = t.middleware(({ ctx, path, meta, next }) => {
  ctx.route.procedures.push(path);
  ctx.route.openApiPath ??= meta?.openapi?.path;
  return next();
});

export const router = t.router;
/** For procedures any authenticated caller may use whatever its scopes (auth.me). */
export const authenticatedProcedure = t.procedure
  .use(recordRoute)
  .use(mapErrors)
  .use(declaredStatus)
  .use(authenticated);

/**
 * The procedure every operation is built on: the caller must hold the scope the procedure declares in its meta
 * (403 naming it otherwise), and starts pass the task queue's backpressure check. No scope declared: refused.
 */
export const protectedProcedure = authenticatedProcedure
  .use(async ({ ctx, meta, next }) => {
    await authorize(ctx, meta?.scope);
    return next();
  })
  .use(async ({ ctx, meta, next }) => {
    await admitStarts(ctx, meta?.scope);
    return next();
  });

/**
 * For the action-link routes only: no credentials are asked for; the resolver verifies the link's token and acts as
 * the tenant the token names. Declares `linkToken: true` in its meta (a test holds every public procedure to it).
 */
export const linkProcedure = t.procedure.use(recordRoute).use(mapErrors).use(declaredStatus);

export const createCallerFactory = t.createCallerFactory;
