// The worker registers every export of this file as a workflow type, named by the export:
// the export name is the type name in the contract, the function keeps its TypeScript name.
export { yourWorkflow as YourWorkflow } from './your-workflow';
export { activityTimeoutWorkflow as ActivityTimeoutWorkflow } from './activity-timeout-workflow';
export { startActivityWorkflow as StartActivityWorkflow } from './start-activity-workflow';
export { orderFulfilmentWorkflow as OrderFulfilment } from './order-fulfilment/order-fulfilment';
// Internal: the service's own machinery, registered like the others but listed in contracts.ts as internal, so no
// route, catalog entry or OpenAPI path is made for it.
export { callbackDeliveryWorkflow as CallbackDelivery } from './callback-delivery';
export { actionLinkHoldWorkflow as ActionLinkHold } from './action-link-hold';
