import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isShippingAddress } from '../workflows/order-fulfilment/messages';
import { shippingAddressSchema } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { ISO_3166_ALPHA2_CODES } from '../workflows/order-fulfilment/iso-3166-alpha2';

// The workflow cannot load zod, so its update validator re-checks an address by hand (isShippingAddress). The zod
// schema is the source of the rules; these properties keep the hand-written copy from drifting away from it.

const fieldText = (max: number) =>
  fc.oneof(
    fc.string({ minLength: 0, maxLength: max + 2 }),
    fc.string({ minLength: max - 1, maxLength: max + 1 }),
    fc.constantFrom('', ' ', '  x  '),
  );
const country = fc.oneof(fc.constantFrom('GB', 'DE', 'ZZ', 'gb', 'GBR', ''), fc.string({ maxLength: 3 }));
const address = fc.record(
  {
    name: fieldText(100),
    line1: fieldText(200),
    line2: fieldText(200),
    city: fieldText(100),
    postalCode: fieldText(20),
    country,
  },
  { requiredKeys: [] },
);

const trimmed = (value: Record<string, unknown>): boolean =>
  Object.values(value).every((field) => typeof field !== 'string' || field === field.trim());

describe('the order address rules: the workflow validator agrees with the zod schema', () => {
  it('accepts every address the schema lets through (as the API hands it on)', () => {
    fc.assert(
      fc.property(address, (candidate) => {
        const parsed = shippingAddressSchema.safeParse(candidate);
        if (parsed.success) assert.ok(isShippingAddress(parsed.data), JSON.stringify(candidate));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses what the schema refuses, but for the country list and whitespace only zod knows', () => {
    fc.assert(
      fc.property(address, (candidate) => {
        if (!trimmed(candidate)) return;
        if (typeof candidate.country === 'string' && !ISO_3166_ALPHA2_CODES.has(candidate.country)) return;
        const schemaOk = shippingAddressSchema.safeParse(candidate).success;
        assert.equal(isShippingAddress(candidate), schemaOk, JSON.stringify(candidate));
      }),
      { numRuns: 2_000 },
    );
  });
});
