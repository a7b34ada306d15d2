import type { WorkflowExecutionDescription } from '@temporalio/client';
import {
  ADD_CALLBACK_SIGNAL,
  CALLBACK_DELIVERY_WORKFLOW_TYPE,
  deliveryWorkflowIdOf,
  type CallbackDeliveryInput,
  type CallbackRequest,
} from '../../common/callbacks/delivery';
import type { callbackDeliveryWorkflow } from '../../workflows/callback-delivery';
import type { AuthedContext } from '../context';
import type { GatewayCtx, TemporalGateway } from './gateway';

// The calls the completion webhooks make through the gateway (api/temporal/gateway.ts exposes them): the delivery
// workflow of one run of the caller's, whose ID derives from the run's stored (tenant-namespaced) workflow ID. Each
// call is bounded by QUICK_CALL_MS; the registration is a write, not cancelled when the caller goes.

/** What the delivery's calls need from the request: the caller, and the task queue the delivery starts on. */
export type CallbackGatewayCtx = GatewayCtx & Pick<AuthedContext, 'config'>;

/** The callback delivery workflow of one run of the caller's workflow (by the workflow ID the caller knows). */
export class GatewayCallbackDelivery {
  private readonly deliveryId: string;
  constructor(
    private readonly gateway: TemporalGateway<CallbackGatewayCtx>,
    workflowId: string,
    runId: string,
  ) {
    this.deliveryId = deliveryWorkflowIdOf(gateway.storedId(workflowId), runId);
  }

  /** The delivery workflow's description (WorkflowNotFoundError when no callback was registered for the run). */
  describe(): Promise<WorkflowExecutionDescription> {
    const { client } = this.gateway.ctx;
    return this.gateway.quick(() => client.workflow.getHandle(this.deliveryId).describe());
  }

  /**
   * Hands a callback to the delivery workflow, starting it on the shared task queue for the run's first callback.
   * A delivery that already finished is not started again (WorkflowExecutionAlreadyStartedError).
   */
  async register(input: CallbackDeliveryInput, callback: CallbackRequest): Promise<void> {
    const { client, config } = this.gateway.ctx;
    await this.gateway.quick(
      () =>
        client.workflow.signalWithStart<typeof callbackDeliveryWorkflow, [CallbackRequest]>(
          CALLBACK_DELIVERY_WORKFLOW_TYPE,
          {
            workflowId: this.deliveryId,
            taskQueue: config.TEMPORAL_TASK_QUEUE,
            args: [input],
            signal: ADD_CALLBACK_SIGNAL,
            signalArgs: [callback],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          },
        ),
      { write: true },
    );
  }
}
