import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { errorBody } from './errors';

const READY_CHECK_TIMEOUT_MS = 2_000;

/** /healthz answers while the process is up; /readyz only while Temporal answers too (for load balancers). */
export function healthRouter(client: Client): Router {
  const health = express.Router();
  health.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  health.get('/readyz', async (_req, res) => {
    try {
      await client.connection.withDeadline(Date.now() + READY_CHECK_TIMEOUT_MS, () =>
        client.connection.workflowService.getSystemInfo({}),
      );
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch {
      res
        .status(503)
        .json({ status: 'unavailable', ...errorBody(res, 'SERVICE_UNAVAILABLE', 'Temporal is not reachable') });
    }
  });
  return health;
}
