import type { OrderItem } from '../../workflows/order-fulfilment/order-fulfilment.contract';
import { OutOfStockError, type Inventory } from '../order-services';

export interface Reservation {
  reservationId: string;
  items: readonly OrderItem[];
  status: 'held' | 'released';
}

export interface FakeInventoryOptions {
  /** Units on hand of every sku not listed in `stock` (skus starting with "OOS-" always have none). */
  defaultStock?: number;
  stock?: Record<string, number>;
}

/** An in-memory warehouse: stock levels per sku and one reservation per order. */
export class FakeInventory implements Inventory {
  private readonly stock = new Map<string, number>();
  private readonly reservations = new Map<string, Reservation>();
  private readonly defaultStock: number;
  private nextId = 1;

  constructor(options: FakeInventoryOptions = {}) {
    this.defaultStock = options.defaultStock ?? 1_000;
    for (const [sku, quantity] of Object.entries(options.stock ?? {})) this.setStock(sku, quantity);
  }

  /** Test toggle: sets the units on hand, e.g. 0 to make an order fail with OutOfStock. */
  setStock(sku: string, quantity: number): void {
    this.stock.set(sku, quantity);
  }

  available(sku: string): number {
    return this.stock.get(sku) ?? (sku.startsWith('OOS-') ? 0 : this.defaultStock);
  }

  /** The reservation of an order, by its key (the workflow ID the order runs under). */
  reservationOf(orderKey: string): Reservation | undefined {
    return this.reservations.get(orderKey);
  }

  async reserve(orderKey: string, items: readonly OrderItem[]): Promise<{ reservationId: string }> {
    const existing = this.reservations.get(orderKey);
    if (existing?.status === 'held') return { reservationId: existing.reservationId };
    // All or nothing: check every line before taking any stock.
    for (const item of items) {
      const available = this.available(item.sku);
      if (available < item.quantity) throw new OutOfStockError(item.sku, item.quantity, available);
    }
    for (const item of items) this.stock.set(item.sku, this.available(item.sku) - item.quantity);
    const reservation: Reservation = { reservationId: `res_${this.nextId++}`, items, status: 'held' };
    this.reservations.set(orderKey, reservation);
    return { reservationId: reservation.reservationId };
  }

  async release(orderKey: string): Promise<boolean> {
    const reservation = this.reservations.get(orderKey);
    if (reservation?.status !== 'held') return false;
    for (const item of reservation.items) this.stock.set(item.sku, this.available(item.sku) + item.quantity);
    reservation.status = 'released';
    return true;
  }
}
