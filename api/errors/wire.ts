import { TRPCError, type TRPCDefaultErrorShape } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../common/logger';
import { REQUEST_ID_HEADER } from '../request-id';
import { ApiError, fieldIssuesOf, RETRY_AFTER_SECONDS, toApiError } from './mapping';

// The one writer of error answers. mapping.ts turns anything thrown into an ApiError (or TRPCError); this file turns
// that into what goes on the wire: tRPC's error formatter and response headers, plain Express answers (body parsing,
// unknown routes, readiness, the SSE route before it streams) and the SSE `error` event all read it from here.

/** The `data` of every error body: the OpenAPI document's error schema is this schema (api/http/openapi.ts). */
export const errorDataSchema = z.object({
  code: z.string().describe('The same code as the top-level one'),
  httpStatus: z.number().int(),
  path: z.string().optional().describe('The procedure, e.g. workflows.YourWorkflow.start'),
  requestId: z.string().optional().describe('Also in the x-request-id header; quote it when reporting a problem'),
  fieldErrors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('For invalid input: each field at fault, as a dotted path'),
  details: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Machine-readable details, e.g. existingRunId for a 409'),
});
export type ErrorData = z.infer<typeof errorDataSchema>;

/** Who is asking, as far as an error answer needs to know: the request id it quotes and the logger of its 500s. */
export interface ErrorScope {
  requestId?: string;
  logger?: Pick<Logger, 'error'>;
}

/** The message a caller is shown: never an internal error's, and for invalid input one line naming every field. */
function publicMessage(error: TRPCError): string {
  // An ApiError's message is ours to show (withKnownRun's 500 names the run); any other 500 says nothing.
  if (error.code === 'INTERNAL_SERVER_ERROR' && !(error instanceof ApiError)) return 'Internal server error';
  const fieldIssues = fieldIssuesOf(error);
  if (fieldIssues)
    return `Invalid request: ${fieldIssues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
  return error.message;
}

/** The status an error asks for beyond its code's (410 Gone), read by both adapters' responseMeta hook. */
export function errorStatus(errors: readonly unknown[]): number | undefined {
  const overridden = errors.find((error) => error instanceof ApiError && error.httpStatus !== undefined);
  return (overridden as ApiError | undefined)?.httpStatus;
}

function errorData(error: TRPCError, where: { httpStatus: number; path?: string; requestId?: string }): ErrorData {
  return {
    code: error.code,
    httpStatus: (error instanceof ApiError ? error.httpStatus : undefined) ?? where.httpStatus,
    path: where.path,
    requestId: where.requestId,
    fieldErrors: fieldIssuesOf(error),
    details: error instanceof ApiError ? error.details : undefined,
  };
}

/** The error shape of the tRPC transports (and of trpc-to-openapi's REST answers): tRPC's errorFormatter. */
export function formatError({
  shape,
  error,
  ctx,
}: {
  shape: TRPCDefaultErrorShape;
  error: TRPCError;
  ctx?: ErrorScope;
}): { message: string; code: TRPCDefaultErrorShape['code']; data: ErrorData } {
  return {
    message: publicMessage(error),
    code: shape.code,
    data: {
      ...errorData(error, { httpStatus: shape.data.httpStatus, path: shape.data.path, requestId: ctx?.requestId }),
      code: shape.data.code,
    },
  };
}

/** The response headers a batch of errors asks for (a 401's challenge, a 429's or 503's Retry-After). */
export function errorHeaders(errors: readonly unknown[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const error of errors) {
    if (error instanceof ApiError) Object.assign(headers, error.headers);
    // Every 503 and 429 says when to come back, whichever code path raised it.
    const retriable =
      error instanceof TRPCError && (error.code === 'SERVICE_UNAVAILABLE' || error.code === 'TOO_MANY_REQUESTS');
    if (retriable && headers['retry-after'] === undefined) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  }
  return headers;
}

/** Logs what the caller is not shown: internal errors, with the request id that the caller was given. */
export function logServerError({ error, ctx, path }: { error: TRPCError; ctx?: ErrorScope; path?: string }): void {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return;
  const cause = error.cause ?? error;
  // ctx.logger is bound to the request id the caller was given.
  ctx?.logger?.error({ path, error: cause instanceof Error ? cause : String(cause) }, 'request failed');
}

/** An error the API raises itself outside any procedure (an unknown route, a body that is not JSON): no details. */
export function refusal(code: TRPC_ERROR_CODE_KEY, message: string): TRPCError {
  return new TRPCError({ code, message });
}

/**
 * Answers an error outside tRPC: status, headers (Retry-After on every 503 and 429, then `headers`), and the body
 * `{ code, message, data }` with the same data as the adapters'. `extra` fields lead it (readiness: `status`).
 */
export function sendError(
  res: Response,
  error: unknown,
  where: { ctx?: ErrorScope; path?: string; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): void {
  const mapped = toApiError(error);
  logServerError({ error: mapped, ctx: where.ctx, path: where.path });
  const httpStatus = errorStatus([mapped]) ?? getHTTPStatusCodeFromError(mapped);
  const assigned = res.getHeader(REQUEST_ID_HEADER);
  const requestId = where.ctx?.requestId ?? (typeof assigned === 'string' ? assigned : undefined);
  res.set({ ...errorHeaders([mapped]), ...where.headers });
  res.status(httpStatus).json({
    ...where.extra,
    code: mapped.code,
    message: publicMessage(mapped),
    data: errorData(mapped, { httpStatus, path: where.path, requestId }),
  });
}

/** The `data` of an SSE `error` event: the stream has started, so the error travels inside it. */
export function sseErrorData(error: unknown, where: { ctx?: ErrorScope; path?: string }): string {
  const mapped = toApiError(error);
  logServerError({ error: mapped, ctx: where.ctx, path: where.path });
  return JSON.stringify({ code: mapped.code, message: publicMessage(mapped) });
}
