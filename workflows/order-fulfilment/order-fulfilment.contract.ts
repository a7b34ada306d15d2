import { z } from 'zod';
import { defineWorkflowContract } from '../contract';
import { ISO_3166_ALPHA2_CODES } from './iso-3166-alpha2';
import { DEFAULT_APPROVAL_TIMEOUT_MS, MIN_APPROVAL_TIMEOUT_MS } from './defaults';

// Bounds keep every total far below Number.MAX_SAFE_INTEGER: 100 lines × 10 000 units × 10 000 000 cents = 1e13.
const MAX_ITEMS = 100;
const MAX_QUANTITY = 10_000;
const MAX_UNIT_PRICE_CENTS = 10_000_000;
const MAX_APPROVAL_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;

const identifier = (what: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, `${what}: letters, digits and . _ : - (starting with a letter or digit)`);

const COUNTRY_MESSAGE = 'country: an ISO 3166-1 alpha-2 code in capitals, e.g. "DE"';

const text = (max: number) => z.string().trim().min(1).max(max);

export const shippingAddressSchema = z
  .strictObject({
    name: text(100).describe('Recipient'),
    line1: text(200),
    line2: z.string().trim().max(200).optional(),
    city: text(100),
    postalCode: text(20),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { message: COUNTRY_MESSAGE, abort: true })
      .refine((code) => ISO_3166_ALPHA2_CODES.has(code), COUNTRY_MESSAGE)
      .describe('ISO 3166-1 alpha-2 country code, e.g. "GB"'),
  })
  .describe('Where the order ships');

export const orderItemSchema = z.strictObject({
  sku: identifier('sku').describe('Stock-keeping unit; the fake inventory has none of any sku starting with "OOS-"'),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  unitPriceCents: z.number().int().min(1).max(MAX_UNIT_PRICE_CENTS),
});

const orderStepSchema = z
  .enum(['reserving', 'awaiting_approval', 'charging', 'shipping', 'completed', 'compensating', 'failed', 'cancelled'])
  .describe('Where the order is; compensating means refunding and releasing stock before failing or cancelling');

export const orderStatusSchema = z.object({
  step: orderStepSchema,
  progress: z.number().min(0).max(1).describe('Share of the steps done, 0..1 (per step, not within shipping)'),
  totalCents: z.number().int(),
  approval: z.object({
    required: z.boolean().describe('Whether the total is above the approval threshold (100 000 cents)'),
    approvedBy: z.string().optional(),
    rejectedBy: z.string().optional(),
    rejectionReason: z.string().optional(),
  }),
  shippingAddress: shippingAddressSchema,
  chargeId: z.string().optional(),
  trackingNumber: z.string().optional(),
  failure: z
    .object({ type: z.string(), message: z.string() })
    .optional()
    .describe('Why the order failed: OutOfStock, PaymentDeclined, ApprovalTimedOut, OrderRejected or another error'),
});

/** Takes an order from stock reservation through approval and payment to shipment, undoing what it did on failure. */
export const orderFulfilmentContract = defineWorkflowContract({
  workflowType: 'OrderFulfilment',
  summary: 'Fulfil an order: reserve stock, approve if large, charge, ship',
  description:
    'Reserves stock (reserve_stock); if the total is above 100 000 cents, waits up to approvalTimeoutMs for ' +
    'the approve or reject signal; charges the card (charge_payment); ships (ship_order, which heartbeats its ' +
    'progress). When a step fails or the workflow is cancelled it refunds any charge and releases the stock, then ' +
    'fails with a non-retryable ApplicationFailure of type OutOfStock, PaymentDeclined, ApprovalTimedOut or ' +
    'OrderRejected, or ends cancelled (a malformed input that bypassed this schema fails with InvalidOrder). ' +
    'The fake gateway declines cardToken "tok_declined".',
  input: z.strictObject({
    orderId: identifier('orderId').describe(
      'Business key; idempotency keys for stock, payment and shipment derive from it',
    ),
    customerId: identifier('customerId'),
    items: z
      .array(orderItemSchema)
      .min(1, 'an order needs at least one item')
      .max(MAX_ITEMS)
      .refine((items) => new Set(items.map((item) => item.sku)).size === items.length, 'each sku may appear once'),
    payment: z.strictObject({
      cardToken: z.string().min(1).max(128).describe('Tokenised card, e.g. "tok_visa"; "tok_declined" is declined'),
    }),
    shippingAddress: shippingAddressSchema,
    approvalTimeoutMs: z
      .number()
      .int()
      .min(MIN_APPROVAL_TIMEOUT_MS)
      .max(MAX_APPROVAL_TIMEOUT_MS)
      .default(DEFAULT_APPROVAL_TIMEOUT_MS)
      .describe('How long to wait for approval before failing with ApprovalTimedOut'),
  }),
  output: z.object({
    orderId: z.string(),
    chargeId: z.string(),
    trackingNumber: z.string(),
    totalCents: z.number().int(),
    shippingAddress: shippingAddressSchema.describe('The address the order shipped to'),
  }),
  exampleInput: {
    orderId: 'order-1001',
    customerId: 'customer-42',
    items: [
      { sku: 'BOOK-TEMPORAL', quantity: 1, unitPriceCents: 3_999 },
      { sku: 'MUG-BLUE', quantity: 2, unitPriceCents: 1_250 },
    ],
    payment: { cardToken: 'tok_visa' },
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '12 St James Square',
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
    },
  },
  progressQuery: 'status',
  signals: {
    approve: {
      description: 'Approves an order that is awaiting approval; ignored once the order has moved on.',
      input: z.strictObject({ approvedBy: text(100).describe('Who approved') }),
      exampleInput: { approvedBy: 'finance@example.com' },
      callerField: 'approvedBy',
    },
    reject: {
      description: 'Rejects an order awaiting approval: stock is released and it fails with OrderRejected.',
      input: z.strictObject({ rejectedBy: text(100), reason: text(500) }),
      exampleInput: { rejectedBy: 'finance@example.com', reason: 'Over budget' },
      callerField: 'rejectedBy',
    },
  },
  queries: {
    status: {
      description: "The order's step, progress, approval, address and, once known, charge and tracking number.",
      input: z.strictObject({}),
      output: orderStatusSchema,
    },
  },
  updates: {
    changeShippingAddress: {
      description:
        'Replaces the shipping address and returns it; rejected once shipping has started or the order has ended.',
      input: z.strictObject({ shippingAddress: shippingAddressSchema }),
      output: shippingAddressSchema,
      exampleInput: {
        shippingAddress: {
          name: 'Ada Lovelace',
          line1: '1 Infinite Loop',
          city: 'Cupertino',
          postalCode: '95014',
          country: 'US',
        },
      },
    },
    waitForPayment: {
      description:
        'Answers once the order is charged, with the charge; rejected (or failed) if the order ends first. ' +
        'With update-with-start it places an order and answers at payment while shipping goes on (early return).',
      input: z.strictObject({}),
      output: z.object({ chargeId: z.string(), totalCents: z.number().int() }),
      exampleInput: {},
    },
  },
});

type Contract = typeof orderFulfilmentContract;

/** The input as clients send it: defaults may be left out, and the workflow fills them in. */
export type OrderFulfilmentInput = z.input<Contract['input']>;
export type OrderFulfilmentOutput = z.infer<Contract['output']>;
export type OrderItem = z.infer<typeof orderItemSchema>;
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;
export type OrderStatus = z.infer<typeof orderStatusSchema>;
export type OrderStep = OrderStatus['step'];
export type ApproveInput = z.infer<Contract['signals']['approve']['input']>;
export type RejectInput = z.infer<Contract['signals']['reject']['input']>;
export type ChangeShippingAddressInput = z.infer<Contract['updates']['changeShippingAddress']['input']>;
export type PaymentConfirmation = z.infer<Contract['updates']['waitForPayment']['output']>;

/** ApplicationFailure types the order fails with; clients can branch on them. */
export type OrderFailureType = 'InvalidOrder' | 'OutOfStock' | 'PaymentDeclined' | 'ApprovalTimedOut' | 'OrderRejected';
