import { z } from 'zod';
import { ACTION_LINK_MAX_LIFETIME_MS } from '../../common/action-links';
import { workflowIdSchema } from '../schemas';

const messageName = z.string().min(1).max(255);

/** POST /api/workflows/{workflowId}/links: one of signal or update, and how long and how often the link may act. */
export const createLinkInputSchema = z
  .strictObject({
    workflowId: workflowIdSchema,
    signal: messageName.optional().describe('The signal the link sends (e.g. approve)'),
    update: messageName.optional().describe('The update the link sends (e.g. changeShippingAddress)'),
    expiresIn: z
      .number()
      .int()
      .min(1)
      .max(ACTION_LINK_MAX_LIFETIME_MS / 1000)
      .default(86_400)
      .describe('Seconds until the link expires (default one day, at most 30 days)'),
    maxUses: z.number().int().min(1).max(100).default(1).describe('How many times the link may act (default once)'),
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("A fixed input for the message, checked by its contract now; the link's holder then sends no fields"),
  })
  .refine((value) => (value.signal === undefined) !== (value.update === undefined), {
    message: 'give exactly one of signal or update',
    path: ['signal'],
  });
export type CreateLinkInput = z.infer<typeof createLinkInputSchema>;

export const linkViewSchema = z.object({
  id: z.string().describe('The link id: DELETE /api/workflows/{workflowId}/links/{linkId} revokes it'),
  url: z.string().describe("The link: GET says what it does, POST does it; a path on this API's origin"),
  workflowId: z.string(),
  workflowType: z.string(),
  kind: z.enum(['signal', 'update']),
  message: z.string(),
  input: z.record(z.string(), z.unknown()).nullable().describe('The fixed input, or null: the holder sends it'),
  inputSchema: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('JSON Schema of what the holder sends (null when the input is fixed)'),
  expiresAt: z.iso.datetime(),
  maxUses: z.number().int(),
  usesLeft: z.number().int(),
});
export type LinkView = z.infer<typeof linkViewSchema>;

export const linkTokenSchema = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^[A-Za-z0-9_.-]+$/, 'not an action link');

export const linkUseOutcomeSchema = z.object({
  linkId: z.string(),
  workflowId: z.string(),
  kind: z.enum(['signal', 'update']),
  message: z.string(),
  use: z.number().int().describe('Which use of the link this was (1 for the first)'),
  maxUses: z.number().int(),
  status: z.enum(['SIGNALED', 'COMPLETED', 'ACCEPTED']),
  updateId: z.string().optional(),
  result: z.unknown().optional().describe("The update's result (COMPLETED)"),
  resultUrl: z.string().optional().describe('Where the update’s result will be (ACCEPTED; needs workflows:read)'),
});
export type LinkUseOutcome = z.infer<typeof linkUseOutcomeSchema>;
