import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import type { Caller } from '../auth/caller';
import { visibilityClausesFor } from '../auth/tenancy';
import { ApiError } from '../errors/mapping';

/** Refuses a start that would give a tenant more open runs of one type than its key's `maxRunning`. */
export interface RunningCap {
  /**
   * Resolves when the caller may start `workflowType` as `storedWorkflowId`: it has no cap, its tenant is under it,
   * or the ID already has an open run (the start makes none: signal-with-start, update-with-start, a conflict), or
   * any run when `closedRunAnswers` (an Idempotency-Key retry answers with the closed run). Otherwise a 429 with
   * Retry-After and the count, before anything is started.
   */
  admit(
    caller: Pick<Caller, 'tenant' | 'capacity'>,
    workflowType: string,
    storedWorkflowId: string,
    options?: { closedRunAnswers?: boolean },
  ): Promise<void>;
}

interface Reading {
  at: number;
  /** Open runs visibility counted at `at`, plus the starts this replica let through since. */
  running: number;
}

/**
 * Counts a tenant's open runs of a type from visibility (one CountWorkflowExecutions call), reused for
 * RUNNING_CAP_CACHE_MS; the starts this replica admits in the meantime are added to the reading, so a burst within
 * one window cannot pass the cap here. How exact it is: README "Tenant fairness".
 */
export function createRunningCap(client: Client, config: Pick<Config, 'RUNNING_CAP_CACHE_MS'>): RunningCap {
  const ttl = config.RUNNING_CAP_CACHE_MS;
  const retryAfterS = Math.max(1, Math.ceil(ttl / 1000));
  const readings = new Map<string, Reading>();
  const refreshing = new Map<string, Promise<Reading>>();

  const read = (tenant: string, workflowType: string): Promise<Reading> => {
    const key = JSON.stringify([tenant, workflowType]);
    const cached = readings.get(key);
    if (cached && Date.now() - cached.at < ttl) return Promise.resolve(cached);
    let pending = refreshing.get(key);
    if (!pending) {
      const query = [
        ...visibilityClausesFor({ tenant, workflowTypes: [workflowType] }),
        "ExecutionStatus = 'Running'",
      ].join(' AND ');
      pending = client.workflow
        .count(query)
        .then(({ count }) => {
          const reading = { at: Date.now(), running: count };
          readings.set(key, reading);
          return reading;
        })
        .finally(() => refreshing.delete(key));
      refreshing.set(key, pending);
    }
    return pending;
  };

  const startsNoRun = async (storedWorkflowId: string, closedRunAnswers: boolean): Promise<boolean> => {
    try {
      const { status } = await client.workflow.getHandle(storedWorkflowId).describe();
      return closedRunAnswers || status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };

  return {
    async admit(caller, workflowType, storedWorkflowId, { closedRunAnswers = false } = {}) {
      const max = caller.capacity?.maxRunning;
      if (max === undefined || caller.tenant === undefined) return;
      const reading = await read(caller.tenant, workflowType);
      if (reading.running < max || (await startsNoRun(storedWorkflowId, closedRunAnswers))) {
        // Counted now, synchronously, so that concurrent starts on this replica see each other.
        if (reading.running < max) reading.running += 1;
        return;
      }
      throw new ApiError({
        code: 'TOO_MANY_REQUESTS',
        message: `${reading.running} runs of ${workflowType} are open for this tenant, its limit (maxRunning ${max}); retry after ${retryAfterS} s or once one closes`,
        details: { workflowType, running: reading.running, maxRunning: max, retryAfterSeconds: retryAfterS },
        headers: { 'retry-after': String(retryAfterS) },
      });
    },
  };
}
