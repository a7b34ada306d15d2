import { ApplicationFailure, Context } from '@temporalio/activity';
import type {
  OrderFailureType,
  OrderItem,
  ShippingAddress,
} from '../workflows/order-fulfilment/order-fulfilment.contract';
import { OutOfStockError, PaymentDeclinedError, type OrderServices, type ShippingProgress } from './order-services';

export interface ChargePaymentInput {
  orderId: string;
  customerId: string;
  amountCents: number;
  cardToken: string;
}

export interface ShipOrderInput {
  orderId: string;
  items: OrderItem[];
  shippingAddress: ShippingAddress;
}

export interface OrderActivities {
  reserve_stock(input: { orderId: string; items: OrderItem[] }): Promise<{ reservationId: string }>;
  release_stock(input: { orderId: string }): Promise<{ released: boolean }>;
  charge_payment(input: ChargePaymentInput): Promise<{ chargeId: string }>;
  refund_payment(input: { orderId: string }): Promise<{ refundId: string | null }>;
  ship_order(input: ShipOrderInput): Promise<{ trackingNumber: string }>;
}

/**
 * What every outside system knows this order by: the workflow ID Temporal stores, which the API namespaces by tenant
 * (`<tenant>~<id>`). Never the caller's orderId: two tenants may both send orderId "A-1001", and keyed by it one
 * would be charged, shipped or refunded with the other's charge. Read from the activity's own context, so no input
 * can name another order's key, and the same for every retry and every compensation of the run.
 */
function orderKey(): string {
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (workflowId === undefined)
    throw ApplicationFailure.nonRetryable('order activities run only inside an order workflow', 'NoOrderWorkflow');
  return workflowId;
}

// The charge's idempotency key derives from the order's key: a retried charge or a re-run refund finds the same charge.
const chargeKey = (key: string): string => `order:${key}:charge`;

/** Domain errors that retrying cannot fix become non-retryable failures the workflow recognises by type. */
function businessFailure(type: OrderFailureType, error: Error, details: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: error.message,
    nonRetryable: true,
    details: [details],
    cause: error,
  });
}

function resumedProgress(details: unknown): number {
  const progress = details as Partial<ShippingProgress> | undefined;
  return typeof progress?.step === 'number' && progress.step >= 0 ? progress.step : 0;
}

/** Order activities over the given services (the worker chooses them in worker/order-services.ts). */
export function createOrderActivities({ inventory, payments, shipping }: OrderServices): OrderActivities {
  return {
    /** Holds stock for every line of the order; fails with OutOfStock when a line cannot be filled. */
    async reserve_stock({ items }) {
      try {
        return await inventory.reserve(orderKey(), items);
      } catch (error) {
        if (error instanceof OutOfStockError) {
          throw businessFailure('OutOfStock', error, {
            sku: error.sku,
            requested: error.requested,
            available: error.available,
          });
        }
        throw error;
      }
    },

    /** Returns the order's reserved stock (a no-op when none is held). */
    async release_stock() {
      return { released: await inventory.release(orderKey()) };
    },

    /** Charges the card once per order; fails with PaymentDeclined when the issuer declines. */
    async charge_payment({ customerId, amountCents, cardToken }) {
      try {
        const { chargeId } = await payments.charge({
          idempotencyKey: chargeKey(orderKey()),
          customerId,
          amountCents,
          cardToken,
        });
        return { chargeId };
      } catch (error) {
        if (error instanceof PaymentDeclinedError) {
          throw businessFailure('PaymentDeclined', error, { declineCode: error.declineCode });
        }
        throw error;
      }
    },

    /** Refunds the order's charge if there is one, found by its idempotency key in case its reply was lost. */
    async refund_payment() {
      const charge = await payments.findCharge(chargeKey(orderKey()));
      if (!charge) return { refundId: null };
      return await payments.refund(charge.chargeId);
    },

    /** Ships the order, heartbeating each leg; a retried attempt carries on from the last heartbeated leg. */
    async ship_order({ orderId, items, shippingAddress }) {
      const context = Context.current();
      return await shipping.ship({
        orderKey: orderKey(),
        orderId,
        items,
        shippingAddress,
        fromStep: resumedProgress(context.info.heartbeatDetails),
        onProgress: (progress) => context.heartbeat(progress),
        signal: context.cancellationSignal,
      });
    },
  };
}
