import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import type { TenantAttributeCheck } from './auth/tenant-attribute';
import { errorBody, RETRY_AFTER_SECONDS } from './errors';

// Short: a readiness probe that hangs tells the orchestrator nothing. The connection's reconnect back-off is capped
// (api/temporal-client.ts), so once Temporal is back the next probe reaches it within about a second.
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
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      res.status(503).json({
        status: 'draining',
        ...errorBody(res, 'SERVICE_UNAVAILABLE', 'This API instance is shutting down'),
      });
      return;
    }
    let missing: string | undefined;
    try {
      await client.connection.withDeadline(Date.now() + READY_CHECK_TIMEOUT_MS, async () => {
        await client.connection.workflowService.getSystemInfo({});
        missing = await tenantAttribute?.();
      });
    } catch {
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      res
        .status(503)
        .json({ status: 'unavailable', ...errorBody(res, 'SERVICE_UNAVAILABLE', 'Temporal is not reachable') });
      return;
    }
    if (missing !== undefined) {
      res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
      res.status(503).json({ status: 'misconfigured', ...errorBody(res, 'SERVICE_UNAVAILABLE', missing) });
      return;
    }
    res.json({ status: 'ready', temporal: 'reachable' });
  });
  return health;
}
