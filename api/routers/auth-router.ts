import { z } from 'zod';
import { callerView, callerViewSchema } from '../auth/caller';
import { authenticatedProcedure, router } from '../trpc';

const meSchema = z.object({
  authEnabled: z.boolean().describe('false in development when no API keys or JWKS are configured'),
  caller: callerViewSchema,
});

/** Who the API takes the caller for. */
export const authRouter = router({
  /** The caller behind the request's credentials: kind, name, scopes, tenant and workflow types; any valid caller may ask. */
  me: authenticatedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/me',
        tags: ['auth'],
        summary: 'Who am I: the caller behind these credentials and its scopes',
        errorResponses: { 401: 'Missing or invalid credentials' },
      },
    })
    .input(z.void())
    .output(meSchema)
    .query(({ ctx }) => {
      const { apiKey, jwt } = ctx.security.authenticator.schemes;
      return { authEnabled: apiKey || jwt, caller: callerView(ctx.caller) };
    }),
});
