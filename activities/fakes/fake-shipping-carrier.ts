import { setTimeout as sleep } from 'node:timers/promises';
import type { ShippingAddress } from '../../workflows/order-fulfilment/order-fulfilment.contract';
import type { ShipmentRequest, ShippingCarrier, ShippingProgress } from '../order-services';

export interface Shipment {
  trackingNumber: string;
  status: 'in_transit' | 'delivered' | 'stopped';
  shippingAddress: ShippingAddress;
  /** Each call to ship() for this order, with the step it resumed from. */
  attempts: { fromStep: number }[];
  /** Steps completed, in order, across attempts: a resumed shipment never repeats one. */
  completedSteps: number[];
  /** Every progress report handed to ship_order (which heartbeats it). */
  reports: ShippingProgress[];
}

export interface FakeShippingCarrierOptions {
  /** Legs of a shipment; default 5. */
  steps?: number;
  /** Time per leg; the default 600 ms makes a shipment take about 3 s, so progress is visible in dev. */
  stepMs?: number;
}

/** An in-memory carrier: a shipment advances in `steps` legs of `stepMs`, reporting after each. */
export class FakeShippingCarrier implements ShippingCarrier {
  readonly steps: number;
  readonly stepMs: number;
  private readonly shipments = new Map<string, Shipment>();
  private stallAfterStep: number | undefined;
  private nextId = 1;

  constructor(options: FakeShippingCarrierOptions = {}) {
    this.steps = options.steps ?? 5;
    this.stepMs = options.stepMs ?? 600;
  }

  /** Test toggle: the next shipment to complete `step` legs stops responding until cancelled (once). */
  stallOnceAfter(step: number): void {
    this.stallAfterStep = step;
  }

  /** The shipment of an order, by its key (the workflow ID the order runs under). */
  shipmentOf(orderKey: string): Shipment | undefined {
    return this.shipments.get(orderKey);
  }

  async ship(request: ShipmentRequest): Promise<{ trackingNumber: string }> {
    const shipment = this.shipmentFor(request);
    if (shipment.status === 'delivered') return { trackingNumber: shipment.trackingNumber };
    shipment.status = 'in_transit';
    shipment.attempts.push({ fromStep: request.fromStep });
    const report = (step: number): void => {
      const progress = { step, totalSteps: this.steps };
      shipment.reports.push(progress);
      request.onProgress(progress);
    };
    try {
      report(request.fromStep);
      for (let step = request.fromStep + 1; step <= this.steps; step++) {
        if (this.stallAfterStep === step - 1) {
          this.stallAfterStep = undefined;
          await abortOf(request.signal);
        }
        await sleep(this.stepMs, undefined, { signal: request.signal });
        shipment.completedSteps.push(step);
        report(step);
      }
    } catch (error) {
      shipment.status = 'stopped';
      throw error;
    }
    shipment.status = 'delivered';
    return { trackingNumber: shipment.trackingNumber };
  }

  private shipmentFor({ orderKey, shippingAddress }: ShipmentRequest): Shipment {
    let shipment = this.shipments.get(orderKey);
    if (!shipment) {
      const trackingNumber = `TRK${String(this.nextId++).padStart(8, '0')}`;
      shipment = {
        trackingNumber,
        status: 'in_transit',
        shippingAddress,
        attempts: [],
        completedSteps: [],
        reports: [],
      };
      this.shipments.set(orderKey, shipment);
    }
    return shipment;
  }
}

/** Never resolves; rejects with the abort reason once the signal aborts. */
function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
