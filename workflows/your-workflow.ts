import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { YourWorkflowInput, YourWorkflowOutput } from './your-workflow.contract';

const { your_activity } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });

/** Greets a name by executing your_activity and waiting for its result (the seed's YourWorkflow). */
export async function yourWorkflow(name: YourWorkflowInput): Promise<YourWorkflowOutput> {
  return await your_activity({ greeting: 'Hello', name });
}
