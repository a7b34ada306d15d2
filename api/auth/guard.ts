import { TRPCError } from '@trpc/server';
import type { AuthedContext, Context } from '../context';
import { ApiError } from '../errors/mapping';
import { rateLimitKey } from './rate-limits';
import { UnauthorizedError } from './authenticator';
import type { Caller } from './caller';
import type { Scope } from './scopes';

/** Resolves the caller (401 without valid credentials) and counts the request against its rate limit. */
export async function authenticateRequest(ctx: Context): Promise<Caller> {
  // Guessing keys is rate limited by client address: past the limit, a 429 before any credential is looked at.
  await ctx.security.limits.refuseFailingClient(ctx.clientIp);
  let caller: Caller;
  try {
    caller = await ctx.authenticate();
  } catch (error) {
    if (error instanceof UnauthorizedError) await ctx.security.limits.authFailed(ctx.clientIp, ctx.responseHeaders);
    throw error;
  }
  ctx.route.caller = caller.name; // for the access log
  await ctx.security.limits.request(rateLimitKey(caller, ctx.clientIp), ctx.responseHeaders);
  return caller;
}

/** The caller must hold `scope` (403 naming it otherwise). Used by protectedProcedure and by the SSE route alike. */
export async function authorize(ctx: AuthedContext, scope: Scope | undefined): Promise<void> {
  if (scope === undefined) {
    // Fail closed: a procedure that forgot its scope serves nobody (test/security-scopes.test.ts names it).
    throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'procedure declares no scope' });
  }
  if (!ctx.caller.scopes.includes(scope)) {
    throw new ApiError({
      code: 'FORBIDDEN',
      message: `Missing scope ${scope}`,
      details: { requiredScope: scope, callerScopes: [...ctx.caller.scopes] },
    });
  }
}

/** Starts pass the task queue's backpressure check (503 while its backlog is too deep); other scopes pass at once. */
export async function admitStarts(ctx: Context, scope: Scope | undefined): Promise<void> {
  if (scope === 'workflows:start') await ctx.security.backpressure.admitStart();
}
