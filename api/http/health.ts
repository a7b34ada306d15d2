import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { refusal, sendError } from '../errors/wire';
import { temporalReachable } from '../temporal/service';

// Short: a readiness probe that hangs tells the orchestrator nothing. The connection's reconnect back-off is capped
// (api/temporal/temporal-client.ts), so once Temporal is back the next probe reaches it within about a second.
const READY_CHECK_TIMEOUT_MS = 1_000;

/**
 * /healthz answers while the process is up; /readyz only while Temporal answers too and the API is not draining,
 * so a load balancer stops sending new work first when shutdown starts.
 */
export function healthRouter(client: Client, draining: AbortSignal): Router {
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
    if (await temporalReachable(client, READY_CHECK_TIMEOUT_MS)) {
      res.json({ status: 'ready', temporal: 'reachable' });
    } else {
      sendError(res, refusal('SERVICE_UNAVAILABLE', 'Temporal is not reachable'), { extra: { status: 'unavailable' } });
    }
  });
  return health;
}
