import type { AnyTRPCRouter } from '@trpc/server';
import type { Request } from 'express';

/**
 * Whether a request opens a progress stream over tRPC: a GET of one subscription procedure, as httpSubscriptionLink
 * sends it. Read from the router's procedure types, not from a header the caller chooses (an `Accept` header would
 * let any request skip what streams skip). Mounted under `/trpc`, `req.path` is `/<procedure path>`.
 */
export function opensTrpcStream(router: AnyTRPCRouter): (req: Request) => boolean {
  const procedures = router._def.procedures as Record<string, { _def: { type: string } }>;
  const subscriptions = new Set(
    Object.entries(procedures)
      .filter(([, procedure]) => procedure._def.type === 'subscription')
      .map(([path]) => path),
  );
  return (req) => req.method === 'GET' && subscriptions.has(req.path.slice(1));
}
