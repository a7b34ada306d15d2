import { WorkflowNotFoundError } from '@temporalio/client';
import { DELIVERIES_MEMO_KEY } from '../../common/callbacks/delivery';
import type { AuthedContext } from '../context';
import { describeWorkflow } from '../operations/workflow-operations';
import { temporalGateway } from '../temporal/gateway';
import type { CallbacksList } from './callback-schemas';

/**
 * The callbacks of the workflow's latest run, read from its delivery workflow's memo (no worker needed): none when
 * no start asked for one. A workflow the caller may not see is a 404, as everywhere.
 */
export async function listCallbacks(
  ctx: Pick<AuthedContext, 'client' | 'caller' | 'config' | 'signal'>,
  workflowId: string,
): Promise<CallbacksList> {
  const { runId } = await describeWorkflow(ctx, workflowId);
  try {
    const description = await temporalGateway(ctx).callbackDelivery(workflowId, runId).describe();
    const deliveries = (description.memo?.[DELIVERIES_MEMO_KEY] ?? []) as CallbacksList['deliveries'];
    return { workflowId, runId, deliveries };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, runId, deliveries: [] };
    throw error;
  }
}
