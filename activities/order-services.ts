import type { OrderItem, ShippingAddress } from '../workflows/order-fulfilment/order-fulfilment.contract';

// The outside systems an order touches. The worker would pass real clients (a WMS, Stripe, a carrier API);
// tests and the dev worker use the in-memory fakes in ./fakes. Their errors are domain errors: the activities
// decide what becomes a non-retryable Temporal failure.

/** Not enough stock of `sku` to reserve an order; retrying will not help. */
export class OutOfStockError extends Error {
  override readonly name = 'OutOfStockError';
  constructor(
    readonly sku: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`Out of stock: ${sku} (requested ${requested}, available ${available})`);
  }
}

/** The card issuer declined the charge; retrying will not help. */
export class PaymentDeclinedError extends Error {
  override readonly name = 'PaymentDeclinedError';
  constructor(readonly declineCode: string) {
    super(`Payment declined: ${declineCode}`);
  }
}

// Services key an order by `orderKey`, the stored (tenant-namespaced) workflow ID, never by the caller's orderId.
export interface Inventory {
  /** Holds stock for every item of the order, or none; reserving the same order again returns its reservation. */
  reserve(orderKey: string, items: readonly OrderItem[]): Promise<{ reservationId: string }>;
  /** Returns the order's reserved stock; false when nothing was reserved or it was already released. */
  release(orderKey: string): Promise<boolean>;
}

export interface Charge {
  chargeId: string;
  amountCents: number;
}

export interface PaymentGateway {
  /** Charges once per idempotency key: a repeated request returns the first charge. */
  charge(request: {
    idempotencyKey: string;
    customerId: string;
    amountCents: number;
    cardToken: string;
  }): Promise<Charge>;
  /** The charge made with this idempotency key, if any: how a compensation finds a charge whose reply was lost. */
  findCharge(idempotencyKey: string): Promise<Charge | undefined>;
  /** Refunds a charge in full; refunding it again returns the first refund. */
  refund(chargeId: string): Promise<{ refundId: string }>;
}

/** Shipping progress, heartbeated by ship_order and handed back to the next attempt. */
export interface ShippingProgress {
  step: number;
  totalSteps: number;
}

export interface ShipmentRequest {
  /** What the shipment is keyed by: one shipment per key however often ship() is called. */
  orderKey: string;
  /** The caller's order reference, for the label; not unique across tenants. */
  orderId: string;
  items: readonly OrderItem[];
  shippingAddress: ShippingAddress;
  /** Steps an earlier attempt already completed: the carrier carries on from there. */
  fromStep: number;
  /** Called after each step; ship_order heartbeats it. */
  onProgress(progress: ShippingProgress): void;
  /** Aborted when Temporal cancels the activity (workflow cancelled, heartbeat timed out, worker shutting down). */
  signal: AbortSignal;
}

export interface ShippingCarrier {
  /** Hands the parcel over and follows it to the door; one shipment per order however often it is called. */
  ship(request: ShipmentRequest): Promise<{ trackingNumber: string }>;
}

/** The outside systems order activities use. */
export interface OrderServices {
  inventory: Inventory;
  payments: PaymentGateway;
  shipping: ShippingCarrier;
}
