import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { z } from 'zod';
import { progressEventSchema } from './progress-stream';
import { appRouter } from './router';
import { REST_BASE_PATH } from './workflow-operations';

/** The OpenAPI document of the REST API, generated from the same procedures and zod schemas tRPC serves. */
export function buildOpenApiDocument(): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'Temporal HTTP API',
    description:
      'Start and drive Temporal workflows over HTTP. Every error body has a machine-readable `code` ' +
      '(BAD_REQUEST, NOT_FOUND, CONFLICT, SERVICE_UNAVAILABLE, ...), a `message`, and for invalid input `issues` naming each field.',
    version: '0.1.0',
    baseUrl: REST_BASE_PATH,
    docsUrl: '/docs',
  });
  document.paths = { ...document.paths, '/workflows/{workflowId}/events': progressStreamPath };
  return document;
}

// The SSE route is served beside trpc-to-openapi (which has no streaming), so it is described here by hand.
const progressStreamPath: NonNullable<OpenAPIObject['paths']>[string] = {
  get: {
    operationId: 'executions-events',
    summary: "Stream a workflow's status and progress (Server-Sent Events)",
    description:
      'text/event-stream of `progress` events while the workflow runs and one `closed` event with its outcome, then the ' +
      'stream ends. Each event id is the workflow history length; send it back as Last-Event-ID (EventSource does) to resume.',
    tags: ['executions'],
    parameters: [
      { name: 'workflowId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
    ],
    responses: {
      200: {
        description: 'The event stream; each data line is a JSON ProgressEvent',
        content: { 'text/event-stream': { schema: z.toJSONSchema(progressEventSchema, { unrepresentable: 'any' }) } },
      },
      400: { description: 'Invalid workflow ID' },
      404: { description: 'No workflow with this ID' },
      503: { description: 'Temporal unavailable' },
    },
  },
};
