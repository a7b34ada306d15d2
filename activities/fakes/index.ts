import type { OrderServices } from '../order-services';
import { FakeInventory } from './fake-inventory';
import { FakePaymentGateway } from './fake-payment-gateway';
import { FakeShippingCarrier, type FakeShippingCarrierOptions } from './fake-shipping-carrier';

/** In-memory stand-ins for every outside service of the order activities: for tests and `npm run dev`, never by default. */
export function fakeOrderServices(shipping?: FakeShippingCarrierOptions): OrderServices {
  return {
    inventory: new FakeInventory(),
    payments: new FakePaymentGateway(),
    shipping: new FakeShippingCarrier(shipping),
  };
}
