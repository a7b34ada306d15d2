import { WorkflowNotFoundError } from '@temporalio/client';
import { DELIVERIES_MEMO_KEY, deliveryWorkflowIdOf } from '../../common/callbacks/delivery';
import { storedWorkflowId } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import { describeWorkflow } from '../operations/workflow-operations';
import type { CallbacksList } from './callback-schemas';

/**
 * The callbacks of the workflow's latest run, read from its delivery workflow's memo (no worker needed): none when
 * no start asked for one. A workflow the caller may not see is a 404, as everywhere.
 */
export async function listCallbacks(
  ctx: Pick<AuthedContext, 'client' | 'caller' | 'signal'>,
  workflowId: string,
): Promise<CallbacksList> {
  const { runId } = await describeWorkflow(ctx, workflowId);
  const deliveryId = deliveryWorkflowIdOf(storedWorkflowId(ctx.caller, workflowId), runId);
  try {
    const description = await ctx.client.workflow.getHandle(deliveryId).describe();
    const deliveries = (description.memo?.[DELIVERIES_MEMO_KEY] ?? []) as CallbacksList['deliveries'];
    return { workflowId, runId, deliveries };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, runId, deliveries: [] };
    throw error;
  }
}
