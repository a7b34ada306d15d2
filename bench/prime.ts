import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowCall } from './targets';

/**
 * Runs `count` workflows to completion on a task queue before it is measured: the first tasks on a fresh queue
 * pay for creating it and for the workers' first workflow (bundle load, JIT), which is not what the figures are of.
 */
export async function primeQueue(
  address: string,
  taskQueue: string,
  workflow: WorkflowCall,
  count: number,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    await Promise.all(
      Array.from({ length: count }, () =>
        client.workflow.execute(workflow.type, {
          taskQueue,
          workflowId: `prime-${workflow.type}-${randomUUID()}`,
          args: workflow.args,
        }),
      ),
    );
  } finally {
    await connection.close();
  }
}
