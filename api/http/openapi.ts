import { generateOpenApiDocument, type OpenAPIObject, type OpenApiMethod } from 'trpc-to-openapi';
import { z } from 'zod';
import { callbackWebhooks } from '../callbacks/callback-webhook-openapi';
import { errorDataSchema } from '../errors/wire';
import { progressEventSchema } from '../progress/progress-stream';
import { EVENTS_SCOPE } from '../progress/progress-sse';
import { appRouter } from '../router';
import type { ApiMeta } from '../trpc';
import { REST_BASE_PATH } from './rest-paths';

type SecuritySchemes = NonNullable<Parameters<typeof generateOpenApiDocument>[1]['securitySchemes']>;

/** The schemes the API accepts, as /docs shows them ("Authorize" with a key or a token). */
function securitySchemesOf(schemes: { apiKey: boolean; jwt: boolean }): SecuritySchemes {
  const declared: SecuritySchemes = {};
  if (schemes.apiKey) {
    declared.apiKey = {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description: 'An API key (also accepted as Authorization: Bearer <key>)',
    };
  }
  if (schemes.jwt) declared.bearerJwt = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
  return declared;
}

/**
 * The OpenAPI document of the REST API, generated from the same procedures and zod schemas tRPC serves. It
 * declares exactly the authentication schemes that are on, and each operation's scope from its meta.
 */
export function buildOpenApiDocument(schemes: { apiKey: boolean; jwt: boolean }): OpenAPIObject {
  const securitySchemes = securitySchemesOf(schemes);
  const document = generateOpenApiDocument(appRouter, {
    securitySchemes,
    title: 'Temporal HTTP API',
    description:
      'Start and drive Temporal workflows over HTTP. Every error body has a machine-readable `code` ' +
      '(BAD_REQUEST, NOT_FOUND, CONFLICT, SERVICE_UNAVAILABLE, ...), a `message`, and for invalid input `issues` naming each field.',
    version: '0.1.0',
    baseUrl: REST_BASE_PATH,
    docsUrl: '/docs',
  });
  document.paths = { ...document.paths, '/workflows/{workflowId}/events': progressStreamPath };
  Object.assign(document, { webhooks: callbackWebhooks });
  describeErrorBodies(document);
  describeAcceptedResponses(document);
  describeGoneResponses(document);
  describeSecurity(document, Object.keys(securitySchemes));
  describeExamples(document);
  return document;
}

/** The meta of every procedure (the router's flat record, keyed by dotted path). */
function procedureMetas(): ApiMeta[] {
  const procedures: Record<string, unknown> = appRouter._def.procedures;
  return Object.values(procedures).flatMap((procedure) => {
    const meta = (procedure as { _def?: { meta?: ApiMeta } })._def?.meta;
    return meta ? [meta] : [];
  });
}

/** Each operation's scope, read from its procedure's meta (OpenAPI 3.1 lets non-OAuth schemes list roles). */
function describeSecurity(document: OpenAPIObject, schemeNames: string[]): void {
  const scopeOf = new Map<string, string | undefined>();
  const byLinkToken = new Map<string, ApiMeta>();
  for (const procedure of Object.values(appRouter._def.procedures as Record<string, unknown>)) {
    const meta = (procedure as { _def: { meta?: ApiMeta } })._def.meta;
    if (meta?.openapi) scopeOf.set(`${meta.openapi.method.toLowerCase()} ${meta.openapi.path}`, meta.scope);
    if (meta?.openapi && meta.linkToken)
      byLinkToken.set(`${meta.openapi.method.toLowerCase()} ${meta.openapi.path}`, meta);
  }
  scopeOf.set('get /workflows/{workflowId}/events', EVENTS_SCOPE);
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'post', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const linkMeta = byLinkToken.get(`${method} ${path}`);
      if (linkMeta) {
        operation.security = []; // public: the action link's token authorises it, and its 401 says so
        const errors = linkMeta.openapi?.errorResponses as Record<string, string> | undefined;
        const unauthorized = operation.responses?.['401'];
        if (unauthorized && errors?.['401'])
          operation.responses = { ...operation.responses, 401: { ...unauthorized, description: errors['401'] } };
        continue;
      }
      const scope = scopeOf.get(`${method} ${path}`);
      if (schemeNames.length === 0) {
        delete operation.security; // auth off: no lock, no Authorize button
        continue;
      }
      operation.security = schemeNames.map((name) => ({ [name]: scope ? [scope] : [] }));
      if (scope) operation.description = `${operation.description ?? ''}\n\nRequires scope \`${scope}\`.`.trim();
      operation.responses = {
        ...operation.responses,
        401: operation.responses?.['401'] ?? {
          description: 'Missing or invalid credentials (WWW-Authenticate says why)',
        },
        ...(scope ? { 403: { description: `The caller lacks scope ${scope}` } } : {}),
        429: {
          description:
            "Rate limit exceeded (Retry-After, RateLimit and RateLimit-Policy headers), or a start over the tenant's maxRunning (Retry-After)",
        },
      };
    }
  }
}

// trpc-to-openapi documents every success as 200; a procedure's meta says when it answers 202 (api/http/success-status.ts
// reads the same meta to answer it).
function describeAcceptedResponses(document: OpenAPIObject): void {
  for (const meta of procedureMetas()) {
    if (!meta?.openapi || (meta.successStatus !== 202 && !meta.acceptedWhenPending)) continue;
    const method = meta.openapi.method.toLowerCase() as Lowercase<OpenApiMethod>;
    const responses = document.paths?.[meta.openapi.path]?.[method]?.responses;
    const ok = responses?.['200'];
    if (!responses || !ok) throw new Error(`OpenAPI: no 200 response for ${meta.openapi.method} ${meta.openapi.path}`);
    if (meta.successStatus === 202) {
      delete responses['200'];
      responses['202'] = ok;
    } else {
      responses['202'] = {
        ...ok,
        description: 'Still running when waitMs passed: status RUNNING/ACCEPTED with resultUrl (also in Location)',
      };
    }
  }
}

// trpc-to-openapi describes an error response by its tRPC code; 410 has none (action links answer it), so its
// description is the route's own.
function describeGoneResponses(document: OpenAPIObject): void {
  for (const meta of procedureMetas()) {
    const errors = meta.openapi?.errorResponses;
    const gone = errors && !Array.isArray(errors) ? (errors as Record<string, string>)['410'] : undefined;
    if (!meta.openapi || gone === undefined) continue;
    const method = meta.openapi.method.toLowerCase() as Lowercase<OpenApiMethod>;
    const responses = document.paths?.[meta.openapi.path]?.[method]?.responses;
    if (responses?.['410']) responses['410'] = { ...responses['410'], description: gone };
  }
}

/** The request body examples procedures declare (from their contract), so /docs' "Try it out" starts valid. */
function describeExamples(document: OpenAPIObject): void {
  for (const meta of procedureMetas()) {
    if (!meta.openapi || meta.example === undefined) continue;
    const method = meta.openapi.method.toLowerCase() as Lowercase<OpenApiMethod>;
    const body = document.paths?.[meta.openapi.path]?.[method]?.requestBody;
    const json = body && 'content' in body ? body.content['application/json'] : undefined;
    if (json) json.example = meta.example;
  }
}

const issueSchema = z
  .looseObject({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() })
  .partial({ path: true, code: true });

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema);
  return rest;
}

/** trpc-to-openapi documents errors as {message, code, issues}; the real bodies also carry `data` (errors/wire.ts's schema). */
function describeErrorBodies(document: OpenAPIObject): void {
  const data = jsonSchemaOf(errorDataSchema);
  const issues = { type: 'array', items: jsonSchemaOf(issueSchema) };
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (!name.startsWith('error.') || !('properties' in schema) || !schema.properties) continue;
    schema.properties = { ...schema.properties, issues, data } as typeof schema.properties;
  }
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
