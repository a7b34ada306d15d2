import type { Express } from 'express';
import { listen } from './api';
import { startOrderAwaitingApproval } from './orders';

/**
 * Starts a large order that awaits approval and serves `app` on a free port while `fn` runs; `fn` gets the order's
 * progress stream URL (the REST route) and its workflow ID. The port is closed when `fn` settles.
 */
export async function withOrderEvents<T>(
  app: Express,
  fn: (eventsUrl: string, workflowId: string) => Promise<T>,
): Promise<T> {
  const workflowId = await startOrderAwaitingApproval(app);
  const http = await listen(app);
  try {
    return await fn(`${http.baseUrl}/api/workflows/${workflowId}/events`, workflowId);
  } finally {
    await http.close();
  }
}
