import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { refusal, sendError } from '../errors/wire';
import { temporalReachable } from '../temporal/service';
import type { TenantAttributeCheck } from '../temporal/tenant-attribute';

// Short: a readiness probe that hangs tells the orchestrator nothing. The connection's reconnect back-off is capped
// (api/temporal/temporal-client.ts), so once Temporal is back the next probe reaches it within about a second.
const READY_CHECK_TIMEOUT_MS = 1_000;

/**
 * /healthz answers while the process is up; /readyz only while Temporal answers too and the API is not draining,
 * so a load balancer stops sending new work first when shutdown starts. With `tenantAttribute`, /readyz also fails
 * (503, naming the command to run) while the tenant search attribute is not registered.
 */
export function healthRouter(client: Client, draining: AbortSignal, tenantAttribute?: TenantAttributeCheck): Router {
  const health = express.Router();
  health.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  health.get('/readyz', async (_req, res) => {
    if (draining.aborted) {
      sendError(res, refusal('SERVICE_UNAVAILABLE', 'This API instance is shutting down'), {
        extra: { status: 'draining' },
      });
      return;
    }
    let missing: string | undefined;
    let reachable = await temporalReachable(client, READY_CHECK_TIMEOUT_MS);
    if (reachable && tenantAttribute) {
      try {
        missing = await tenantAttribute();
      } catch {
        reachable = false;
      }
    }
    if (!reachable) {
      sendError(res, refusal('SERVICE_UNAVAILABLE', 'Temporal is not reachable'), { extra: { status: 'unavailable' } });
      return;
    }
    if (missing !== undefined) {
      sendError(res, refusal('SERVICE_UNAVAILABLE', missing), { extra: { status: 'misconfigured' } });
      return;
    }
    res.json({ status: 'ready', temporal: 'reachable' });
  });
  return health;
}
