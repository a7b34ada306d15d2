import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  TemporalFailure,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { Compensations } from './compensation';
import { DEFAULT_APPROVAL_THRESHOLD_CENTS, DEFAULT_APPROVAL_TIMEOUT_MS } from './defaults';
import {
  approveSignal,
  changeShippingAddressUpdate,
  ENDED_UNCHARGED_STEPS,
  waitForPaymentUpdate,
  isShippingAddress,
  rejectSignal,
  statusQuery,
  validateAddressChange,
} from './messages';
import type {
  ApproveInput,
  OrderFailureType,
  OrderFulfilmentInput,
  OrderFulfilmentOutput,
  OrderStatus,
  OrderStep,
  RejectInput,
} from './order-fulfilment.contract';

// Forward steps wait for a cancelled activity to finish, so compensation sees what really happened to stock
// and money. Business failures (OutOfStock, PaymentDeclined) are non-retryable where they are thrown.
const { reserve_stock, charge_payment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// Shipping is long: heartbeats prove the carrier is still moving (and carry the leg to resume from), and they
// are how a cancellation reaches the activity.
const { ship_order } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 5 },
});

// Undo must eventually happen: retry without limit.
const { release_stock, refund_payment } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const ACTIVITY_BUSINESS_FAILURES: readonly string[] = ['OutOfStock', 'PaymentDeclined'] satisfies OrderFailureType[];

function orderFailure(type: OrderFailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Surfaces an activity's business failure as the workflow's own typed failure, so clients branch on its type. */
function asWorkflowFailure(error: TemporalFailure): TemporalFailure {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (cause instanceof ApplicationFailure && ACTIVITY_BUSINESS_FAILURES.includes(cause.type ?? '')) {
    return ApplicationFailure.create({
      type: cause.type ?? undefined,
      message: cause.message,
      nonRetryable: true,
      details: cause.details ?? undefined,
      cause: error,
    });
  }
  return error;
}

function failureSummary(error: TemporalFailure): NonNullable<OrderStatus['failure']> {
  const root = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return { type: root instanceof ApplicationFailure ? (root.type ?? root.name) : root.name, message: root.message };
}

const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * The API validates orders with the contract's zod schema; clients that bypass it (the CLI, other SDKs) get
 * this structural check, so a malformed order fails at once instead of failing workflow tasks over and over.
 */
function assertOrderShape(input: OrderFulfilmentInput | undefined): void {
  const valid =
    typeof input?.orderId === 'string' &&
    typeof input.customerId === 'string' &&
    typeof input.payment?.cardToken === 'string' &&
    Array.isArray(input.items) &&
    input.items.length > 0 &&
    input.items.every(
      (item) => typeof item?.sku === 'string' && isCount(item.quantity) && isCount(item.unitPriceCents),
    ) &&
    isShippingAddress(input.shippingAddress);
  if (!valid) throw orderFailure('InvalidOrder', 'The order does not match the OrderFulfilment input schema');
}

/**
 * The total above which an order waits for approval: the service's, never the requester's (who would set it above
 * their own order). Runs started before this change read it from their input, and replay as they ran.
 */
function approvalThresholdOf(input: OrderFulfilmentInput): number {
  if (patched(APPROVAL_THRESHOLD_FROM_SERVICE)) return DEFAULT_APPROVAL_THRESHOLD_CENTS;
  const requested = (input as { approvalThresholdCents?: number }).approvalThresholdCents;
  return requested ?? DEFAULT_APPROVAL_THRESHOLD_CENTS;
}
const APPROVAL_THRESHOLD_FROM_SERVICE = 'approval-threshold-from-service';

/** Reserves stock, waits for approval when the total is large, charges the card and ships the order. */
export async function orderFulfilmentWorkflow(input: OrderFulfilmentInput): Promise<OrderFulfilmentOutput> {
  assertOrderShape(input);
  const { orderId, customerId, items } = input;
  const approvalTimeoutMs = input.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  const approvalRequired = totalCents > approvalThresholdOf(input);

  const status: OrderStatus = {
    step: 'reserving',
    progress: 0,
    totalCents,
    approval: { required: approvalRequired },
    shippingAddress: input.shippingAddress,
  };
  const plan: OrderStep[] = [
    'reserving',
    ...(approvalRequired ? ['awaiting_approval' as const] : []),
    'charging',
    'shipping',
  ];
  const enter = (step: OrderStep): void => {
    status.step = step;
    status.progress = step === 'completed' ? 1 : Math.max(0, plan.indexOf(step)) / plan.length;
  };
  const decided = (): boolean => status.approval.approvedBy !== undefined || status.approval.rejectedBy !== undefined;
  const canDecide = (): boolean =>
    approvalRequired && !decided() && (status.step === 'reserving' || status.step === 'awaiting_approval');

  // Handlers first, before any await, so that no message finds the workflow without them.
  setHandler(statusQuery, () => status);
  // Signals cannot be refused, and clients other than the API (the CLI) may send anything: check, never throw.
  setHandler(approveSignal, (approval: Partial<ApproveInput> | undefined) => {
    if (canDecide() && typeof approval?.approvedBy === 'string') status.approval.approvedBy = approval.approvedBy;
    else log.warn('approve signal ignored', { step: status.step, approvalRequired });
  });
  setHandler(rejectSignal, (rejection: Partial<RejectInput> | undefined) => {
    if (canDecide() && typeof rejection?.rejectedBy === 'string') {
      status.approval.rejectedBy = rejection.rejectedBy;
      status.approval.rejectionReason = String(rejection.reason ?? '');
    } else log.warn('reject signal ignored', { step: status.step, approvalRequired });
  });
  setHandler(
    changeShippingAddressUpdate,
    ({ shippingAddress }) => {
      status.shippingAddress = shippingAddress;
      return shippingAddress;
    },
    { validator: (change) => validateAddressChange(status.step, change) },
  );

  // The milestone callers can wait for (update-with-start: "answer me once it's paid").
  const paidOrEnded = (): boolean => status.chargeId !== undefined || ENDED_UNCHARGED_STEPS.includes(status.step);
  setHandler(
    waitForPaymentUpdate,
    async () => {
      await condition(paidOrEnded);
      if (status.chargeId === undefined) {
        throw ApplicationFailure.create({
          type: 'OrderNotCharged',
          message: `Order ${orderId} ended before payment${status.failure ? `: ${status.failure.message}` : ''}`,
        });
      }
      return { chargeId: status.chargeId, totalCents };
    },
    {
      validator: () => {
        if (status.chargeId === undefined && ENDED_UNCHARGED_STEPS.includes(status.step)) {
          throw new Error(`Order ${orderId} has ended (${status.step}) and will not be charged`);
        }
      },
    },
  );

  const compensations = new Compensations();
  try {
    compensations.add('release_stock', () => release_stock({ orderId }));
    await reserve_stock({ orderId, items });

    if (approvalRequired) {
      enter('awaiting_approval');
      if (!(await condition(decided, approvalTimeoutMs))) {
        throw orderFailure('ApprovalTimedOut', `Order ${orderId} was not approved within ${approvalTimeoutMs} ms`);
      }
      if (status.approval.rejectedBy !== undefined) {
        throw orderFailure('OrderRejected', `Order ${orderId} rejected by ${status.approval.rejectedBy}`);
      }
    }

    enter('charging');
    compensations.add('refund_payment', () => refund_payment({ orderId }));
    const { chargeId } = await charge_payment({
      orderId,
      customerId,
      amountCents: totalCents,
      cardToken: input.payment.cardToken,
    });
    status.chargeId = chargeId;

    enter('shipping');
    const shippingAddress = status.shippingAddress;
    const { trackingNumber } = await ship_order({ orderId, items, shippingAddress });
    status.trackingNumber = trackingNumber;
    enter('completed');
    return { orderId, chargeId, trackingNumber, totalCents, shippingAddress };
  } catch (error) {
    // Anything else is a bug in this code: fail the workflow task (and retry after a fix) without undoing anything.
    if (!(error instanceof TemporalFailure)) throw error;
    const failure = asWorkflowFailure(error);
    status.step = 'compensating';
    await compensations.run();
    if (isCancellation(failure)) status.step = 'cancelled';
    else {
      status.step = 'failed';
      status.failure = failureSummary(failure);
    }
    throw failure;
  }
}
