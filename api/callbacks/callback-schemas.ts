import { z } from 'zod';
import { CLOSING_STATUSES } from '../../common/callbacks/delivery';

/** The `callback` field of every start: where to POST the run's outcome when it closes. */
export const callbackSchema = z
  .strictObject({
    url: z
      .string()
      .max(2_048)
      .describe('Where to POST the outcome: https, on CALLBACK_ALLOWED_URLS, never a private or loopback address'),
    events: z
      .array(z.enum(CLOSING_STATUSES))
      .min(1)
      .optional()
      .describe('Send only for these closing statuses; every closing status when absent'),
  })
  .describe(
    'Completion webhook: signed per Standard Webhooks v1, a CloudEvents 1.0 body carrying the outcome (README "Callbacks")',
  );

/** One callback's delivery, as listed. */
export const deliverySchema = z.object({
  webhookId: z.string().describe('The webhook-id header and CloudEvents id: the same on every attempt'),
  url: z.string().describe('The receiver, without its query string'),
  events: z.array(z.enum(CLOSING_STATUSES)).optional(),
  state: z
    .enum(['WAITING', 'RETRYING', 'DELIVERED', 'FAILED', 'SKIPPED'])
    .describe('WAITING for the run to close, RETRYING after a failed attempt, or final'),
  attempts: z.number().int(),
  lastStatus: z.number().int().optional().describe("The receiver's HTTP status at the last attempt"),
  lastError: z.string().optional(),
  lastAttemptAt: z.iso.datetime().optional(),
  nextAttemptAt: z.iso.datetime().optional(),
  deliveredAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
});

export const callbacksOutputSchema = z.object({
  workflowId: z.string(),
  runId: z.string().describe('The run whose callbacks these are (the latest run of the ID)'),
  deliveries: z.array(deliverySchema),
});
export type CallbacksList = z.infer<typeof callbacksOutputSchema>;
