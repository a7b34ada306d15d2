import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from './router';
import { REST_BASE_PATH } from './workflow-operations';

/** The OpenAPI document of the REST API, generated from the same procedures and zod schemas tRPC serves. */
export function buildOpenApiDocument(): OpenAPIObject {
  return generateOpenApiDocument(appRouter, {
    title: 'Temporal HTTP API',
    description:
      'Start and drive Temporal workflows over HTTP. Every error body has a machine-readable `code` ' +
      '(BAD_REQUEST, NOT_FOUND, CONFLICT, SERVICE_UNAVAILABLE, ...), a `message`, and for invalid input `issues` naming each field.',
    version: '0.1.0',
    baseUrl: REST_BASE_PATH,
    docsUrl: '/docs',
  });
}
