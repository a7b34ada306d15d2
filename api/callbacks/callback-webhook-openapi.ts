import { z } from 'zod';
import { CLOSING_STATUSES } from '../../common/callbacks/delivery';
import { untypedOutcomeSchema } from '../schemas';

/** The body of a completion webhook: a CloudEvents 1.0 event (structured mode) whose data is the run's outcome. */
export const callbackEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().describe('The webhook-id header: the same on every attempt, so receivers can deduplicate'),
  source: z.literal('temporal-http'),
  type: z
    .enum(CLOSING_STATUSES.map((status) => `temporal-http.workflow.${status.toLowerCase()}`) as [string, ...string[]])
    .describe('temporal-http.workflow.<closing status, lower case>'),
  subject: z.string().describe('The workflow ID'),
  time: z.iso.datetime().describe('When the run closed'),
  datacontenttype: z.literal('application/json'),
  data: untypedOutcomeSchema.describe('The same outcome GET /api/workflows/{workflowId}/result answers'),
});

const header = (description: string) => ({ required: true, schema: { type: 'string' }, description });

/** OpenAPI 3.1 `webhooks`: what the service POSTs to a start's `callback.url`. */
export const callbackWebhooks = {
  workflowClosed: {
    post: {
      summary: 'A run closed (completed, failed, cancelled, terminated or timed out)',
      description:
        'Sent to `callback.url` of the start, signed per Standard Webhooks v1 with CALLBACK_SIGNING_SECRET: verify it ' +
        'with the `standardwebhooks` library (or HMAC-SHA256 of "id.timestamp.body"). Answer 2xx to acknowledge; ' +
        'anything else, a redirect or no answer within the attempt timeout is retried with back-off.',
      parameters: [
        { name: 'webhook-id', in: 'header', ...header('msg_…, the same on every attempt') },
        { name: 'webhook-timestamp', in: 'header', ...header('Unix seconds of this attempt') },
        { name: 'webhook-signature', in: 'header', ...header('v1,<base64> per signing secret, space-separated') },
      ],
      requestBody: {
        required: true,
        content: {
          'application/cloudevents+json': { schema: z.toJSONSchema(callbackEventSchema, { unrepresentable: 'any' }) },
        },
      },
      responses: { '2XX': { description: 'Delivered: no more attempts' } },
    },
  },
};
