import { ACTION_LINK_HOLD_WORKFLOW_TYPE } from '../common/action-links';
import { CALLBACK_DELIVERY_WORKFLOW_TYPE } from '../common/callbacks/delivery';
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

/** Workflows the worker registers for the service's own use (workflows/index.ts), with no contract and no routes. */
export const internalWorkflowTypes = [CALLBACK_DELIVERY_WORKFLOW_TYPE, ACTION_LINK_HOLD_WORKFLOW_TYPE] as const;
export type InternalWorkflowType = (typeof internalWorkflowTypes)[number];
