import { fakeOrderServices } from '../activities/fakes';
import type { OrderServices } from '../activities/order-services';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

/** Thrown when a production worker would charge cards and ship parcels through in-memory fakes. */
export class FakeServicesInProductionError extends Error {
  override readonly name = 'FakeServicesInProductionError';
}

/**
 * The one place that chooses the outside services (inventory, payments, shipping) the order activities use. Real
 * clients go here, behind another ORDER_SERVICES value; today the in-memory fakes are the only implementation, so
 * a production worker refuses them unless ALLOW_FAKE_SERVICES_IN_PRODUCTION says this is a demo.
 */
export function createOrderServices(
  config: Pick<Config, 'NODE_ENV' | 'ORDER_SERVICES' | 'ALLOW_FAKE_SERVICES_IN_PRODUCTION'>,
  logger: Logger,
): OrderServices {
  if (config.NODE_ENV === 'production' && !config.ALLOW_FAKE_SERVICES_IN_PRODUCTION) {
    throw new FakeServicesInProductionError(
      'ORDER_SERVICES=fake: refusing in-memory payment, inventory and shipping fakes with NODE_ENV=production ' +
        '(set ALLOW_FAKE_SERVICES_IN_PRODUCTION=true for a demo deployment)',
    );
  }
  logger.warn(
    { orderServices: config.ORDER_SERVICES, nodeEnv: config.NODE_ENV },
    'order activities use in-memory fakes: no card is charged and no parcel is shipped',
  );
  return fakeOrderServices();
}
