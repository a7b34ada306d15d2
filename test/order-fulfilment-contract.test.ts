import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_APPROVAL_THRESHOLD_CENTS } from '../workflows/order-fulfilment/defaults';
import { orderFulfilmentContract } from '../workflows/order-fulfilment/order-fulfilment.contract';

// What the API refuses before an order starts: the contract's schemas, checked without a server.
const { input: inputSchema, exampleInput, signals, queries, updates } = orderFulfilmentContract;

/** The paths of the issues zod reports for `value`, e.g. ['items.0.quantity']. */
function issuePaths(value: unknown): string[] {
  const parsed = inputSchema.safeParse(value);
  assert.equal(parsed.success, false, 'expected the input to be refused');
  return parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('OrderFulfilment contract', () => {
  it('has a valid example below the approval threshold and fills in the defaults', () => {
    const parsed = inputSchema.parse(exampleInput);
    const total = parsed.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    assert.ok(total <= DEFAULT_APPROVAL_THRESHOLD_CENTS);
    // The threshold is the service's, not the requester's: an order that names one is refused.
    assert.equal(inputSchema.safeParse({ ...exampleInput, approvalThresholdCents: 10_000_000 }).success, false);
    assert.equal(parsed.approvalTimeoutMs, 24 * 60 * 60 * 1000);
  });

  it('refuses malformed orders, naming the field', () => {
    const item = exampleInput.items[0];
    assert.deepEqual(issuePaths({ ...exampleInput, items: [] }), ['items']);
    assert.deepEqual(issuePaths({ ...exampleInput, items: [item, item] }), ['items']);
    assert.deepEqual(issuePaths({ ...exampleInput, items: [{ ...item, quantity: 0 }] }), ['items.0.quantity']);
    assert.deepEqual(issuePaths({ ...exampleInput, items: [{ ...item, quantity: 1.5 }] }), ['items.0.quantity']);
    assert.deepEqual(issuePaths({ ...exampleInput, items: [{ ...item, unitPriceCents: -1 }] }), [
      'items.0.unitPriceCents',
    ]);
    assert.deepEqual(issuePaths({ ...exampleInput, orderId: 'order 1' }), ['orderId']);
    assert.deepEqual(issuePaths({ ...exampleInput, orderId: 'o'.repeat(65) }), ['orderId']);
    assert.deepEqual(issuePaths({ ...exampleInput, payment: { cardToken: '' } }), ['payment.cardToken']);
    assert.deepEqual(issuePaths({ ...exampleInput, approvalTimeoutMs: 10 }), ['approvalTimeoutMs']);
  });

  it('accepts only ISO 3166-1 alpha-2 countries and a complete address', () => {
    const address = exampleInput.shippingAddress;
    for (const country of ['UK', 'gb', 'GBR', 'XX']) {
      assert.deepEqual(issuePaths({ ...exampleInput, shippingAddress: { ...address, country } }), [
        'shippingAddress.country',
      ]);
    }
    assert.deepEqual(issuePaths({ ...exampleInput, shippingAddress: { ...address, name: '  ' } }), [
      'shippingAddress.name',
    ]);
    assert.ok(inputSchema.safeParse({ ...exampleInput, shippingAddress: { ...address, country: 'DE' } }).success);
  });

  it('describes messages whose inputs are objects', () => {
    assert.deepEqual(Object.keys(signals), ['approve', 'reject']);
    assert.deepEqual(Object.keys(queries), ['status']);
    assert.deepEqual(Object.keys(updates), ['changeShippingAddress', 'waitForPayment']);
    assert.equal(orderFulfilmentContract.progressQuery, 'status');
    assert.deepEqual(queries.status.input.parse({}), {});
    assert.equal(signals.approve.input.safeParse({ approvedBy: '' }).success, false);
    assert.equal(signals.reject.input.safeParse({ rejectedBy: 'finance' }).success, false);
    assert.equal(
      updates.changeShippingAddress.input.safeParse({ shippingAddress: { ...exampleInput.shippingAddress, city: '' } })
        .success,
      false,
    );
  });
});
