import { contractQuery, contractSignal, contractUpdate } from '../contract-messages';
import type {
  ChangeShippingAddressInput,
  OrderStep,
  ShippingAddress,
  orderFulfilmentContract,
} from './order-fulfilment.contract';

type Contract = typeof orderFulfilmentContract;

// Names and types both come from the contract: a name it lacks, or a handler of another type, fails the build.
export const approveSignal = contractSignal<Contract>()('approve');
export const rejectSignal = contractSignal<Contract>()('reject');
export const statusQuery = contractQuery<Contract>()('status');
export const changeShippingAddressUpdate = contractUpdate<Contract>()('changeShippingAddress');
export const waitForPaymentUpdate = contractUpdate<Contract>()('waitForPayment');

/** Steps after which an order is never charged: a payment waiter must not wait for it. */
export const ENDED_UNCHARGED_STEPS: readonly OrderStep[] = ['compensating', 'failed', 'cancelled'];

const ADDRESS_LOCKED: Partial<Record<OrderStep, string>> = {
  shipping: 'the order has shipped',
  completed: 'the order has shipped',
  compensating: 'the order is being cancelled',
  failed: 'the order has failed',
  cancelled: 'the order was cancelled',
};

const nonEmpty = (value: unknown, max: number): boolean =>
  typeof value === 'string' && value.trim().length > 0 && value.length <= max;

/** A structural check of an address, for inputs that did not come through the API's zod schemas. */
export function isShippingAddress(value: unknown): value is ShippingAddress {
  const address = value as Partial<ShippingAddress> | undefined;
  return (
    nonEmpty(address?.name, 100) &&
    nonEmpty(address?.line1, 200) &&
    (address?.line2 === undefined || (typeof address.line2 === 'string' && address.line2.length <= 200)) &&
    nonEmpty(address?.city, 100) &&
    nonEmpty(address?.postalCode, 20) &&
    typeof address?.country === 'string' &&
    /^[A-Z]{2}$/.test(address.country)
  );
}

/**
 * The update's validator: an Error thrown here rejects the update before it enters history. The API validates
 * the address with zod first; this re-checks the shape for clients that bypass it (the CLI, other SDKs).
 */
export function validateAddressChange(step: OrderStep, input: ChangeShippingAddressInput | undefined): void {
  const locked = ADDRESS_LOCKED[step];
  if (locked) throw new Error(`Shipping address can no longer be changed: ${locked}`);
  if (!isShippingAddress(input?.shippingAddress)) {
    throw new Error('shippingAddress needs name, line1, city, postalCode and a two-letter country code');
  }
}
