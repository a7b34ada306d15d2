import { PaymentDeclinedError, type Charge, type PaymentGateway } from '../order-services';

/** Card tokens the fake declines, after Stripe's test tokens, so a test in another process can trigger a decline. */
export const DECLINED_CARD_TOKENS: ReadonlySet<string> = new Set([
  'tok_declined',
  'tok_chargeDeclined',
  'tok_chargeDeclinedInsufficientFunds',
]);

export interface ChargeRecord extends Charge {
  idempotencyKey: string;
  customerId: string;
  refundId?: string;
}

/** An in-memory card gateway: charges keyed by idempotency key, full refunds, declines by token or toggle. */
export class FakePaymentGateway implements PaymentGateway {
  private readonly charges = new Map<string, ChargeRecord>();
  private decliningAll = false;
  private nextId = 1;
  /** How many charge requests were declined. */
  declines = 0;

  /** Test toggle: decline every card from now on (or stop declining). */
  setDeclining(declining: boolean): void {
    this.decliningAll = declining;
  }

  /** Every charge made, in order, with its refund if any. */
  ledger(): readonly ChargeRecord[] {
    return [...this.charges.values()];
  }

  async charge(request: {
    idempotencyKey: string;
    customerId: string;
    amountCents: number;
    cardToken: string;
  }): Promise<Charge> {
    const existing = this.charges.get(request.idempotencyKey);
    if (existing) return { chargeId: existing.chargeId, amountCents: existing.amountCents };
    if (this.decliningAll || DECLINED_CARD_TOKENS.has(request.cardToken)) {
      this.declines++;
      throw new PaymentDeclinedError(this.decliningAll ? 'generic_decline' : 'card_declined');
    }
    const record: ChargeRecord = {
      chargeId: `ch_${this.nextId++}`,
      amountCents: request.amountCents,
      idempotencyKey: request.idempotencyKey,
      customerId: request.customerId,
    };
    this.charges.set(request.idempotencyKey, record);
    return { chargeId: record.chargeId, amountCents: record.amountCents };
  }

  async findCharge(idempotencyKey: string): Promise<Charge | undefined> {
    const record = this.charges.get(idempotencyKey);
    return record && { chargeId: record.chargeId, amountCents: record.amountCents };
  }

  async refund(chargeId: string): Promise<{ refundId: string }> {
    const record = [...this.charges.values()].find((charge) => charge.chargeId === chargeId);
    if (!record) throw new Error(`No such charge: ${chargeId}`);
    record.refundId ??= `re_${this.nextId++}`;
    return { refundId: record.refundId };
  }
}
