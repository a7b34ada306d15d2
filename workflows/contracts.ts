import { activityTimeoutWorkflowContract } from './activity-timeout-workflow.contract';
import { orderFulfilmentContract } from './order-fulfilment/order-fulfilment.contract';
import { startActivityWorkflowContract } from './start-activity-workflow.contract';
import { yourWorkflowContract } from './your-workflow.contract';

/** Every workflow the service exposes; the API serves one set of routes per entry. Not bundled into the sandbox. */
export const workflowContracts = [
  yourWorkflowContract,
  activityTimeoutWorkflowContract,
  startActivityWorkflowContract,
  orderFulfilmentContract,
] as const;

export type RegisteredContract = (typeof workflowContracts)[number];
export type WorkflowType = RegisteredContract['workflowType'];
