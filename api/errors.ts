import { TRPCError, type TRPCDefaultErrorShape } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ZodError } from 'zod';
import type { ServerResponse } from 'node:http';
import { WaitEnded } from './bounded-wait';
import { REQUEST_ID_HEADER, type Context } from './context';

/** A mapped error that also carries machine-readable details (e.g. the existing run of a 409). */
export class ApiError extends TRPCError {
  readonly details: Record<string, unknown>;
  constructor(opts: {
    code: TRPC_ERROR_CODE_KEY;
    message: string;
    details?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(opts);
    this.details = opts.details ?? {};
  }
}

const grpcToTrpc: Partial<Record<number, TRPC_ERROR_CODE_KEY>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 'BAD_REQUEST',
  [GrpcStatus.NOT_FOUND]: 'NOT_FOUND',
  [GrpcStatus.ALREADY_EXISTS]: 'CONFLICT',
  [GrpcStatus.FAILED_PRECONDITION]: 'PRECONDITION_FAILED',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'TOO_MANY_REQUESTS',
  [GrpcStatus.UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [GrpcStatus.DEADLINE_EXCEEDED]: 'SERVICE_UNAVAILABLE',
  [GrpcStatus.UNAUTHENTICATED]: 'SERVICE_UNAVAILABLE',
  [GrpcStatus.PERMISSION_DENIED]: 'SERVICE_UNAVAILABLE',
};

const TEMPORAL_UNAVAILABLE = 'Temporal is unavailable; try again later';

/** Seconds a caller is told to wait (Retry-After) before retrying a 503 or 429: long enough for the client to reconnect. */
export const RETRY_AFTER_SECONDS = 1;

/** A run this request started (or asked about): every answer after its start names it, errors included. */
export interface KnownRun {
  workflowId: string;
  runId: string;
  resultUrl: string;
}

function grpcCodeOf(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

/**
 * The one mapping from what Temporal (or anything else) throws to the API's error codes.
 * tRPC and REST both answer from it, so a code means the same on every transport.
 */
export function toApiError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (error instanceof WorkflowNotFoundError) {
    return new ApiError({
      code: 'NOT_FOUND',
      message: `No workflow with ID "${error.workflowId}"`,
      cause: error,
      details: { workflowId: error.workflowId },
    });
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError({
      code: 'CONFLICT',
      message: `A workflow with ID "${error.workflowId}" is already running`,
      cause: error,
      details: { workflowId: error.workflowId },
    });
  }
  // A call that did not answer by its deadline (api/bounded-wait.ts): Temporal is unreachable or overloaded.
  if (error instanceof WaitEnded)
    return new ApiError({ code: 'SERVICE_UNAVAILABLE', message: TEMPORAL_UNAVAILABLE, cause: error });
  const grpcCode = grpcCodeOf(error);
  const mapped = grpcCode === undefined ? undefined : grpcToTrpc[grpcCode];
  if (mapped === 'SERVICE_UNAVAILABLE')
    return new ApiError({ code: mapped, message: TEMPORAL_UNAVAILABLE, cause: error });
  if (mapped)
    return new ApiError({
      code: mapped,
      message: error instanceof Error ? error.message : 'Request refused by Temporal',
      cause: error,
    });
  // The client's lazy connect fails with a plain Error when the server never answers.
  if (
    error instanceof Error &&
    /Failed to connect before the deadline|No connection established/i.test(error.message)
  ) {
    return new ApiError({ code: 'SERVICE_UNAVAILABLE', message: TEMPORAL_UNAVAILABLE, cause: error });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause: error });
}

/**
 * An error met after Temporal accepted the start (a failed wait, an unreachable server): mapped as usual, but the
 * answer names the run, so that a caller never retries blind and runs the work twice.
 */
export function withKnownRun(error: unknown, run: KnownRun): TRPCError {
  const mapped = toApiError(error);
  if (mapped.code === 'INTERNAL_SERVER_ERROR') return mapped;
  const details = mapped instanceof ApiError ? mapped.details : {};
  const message =
    mapped.code === 'SERVICE_UNAVAILABLE'
      ? `Workflow "${run.workflowId}" was started (run ${run.runId}) but Temporal became unavailable; fetch its result from resultUrl`
      : mapped.message;
  return new ApiError({ code: mapped.code, message, details: { ...details, ...run }, cause: mapped.cause ?? error });
}

/**
 * The connection broke while a start was in flight: Temporal may or may not have started the run. The answer says
 * so and names the workflow ID to check; with an Idempotency-Key a retry is safe (it meets the same run).
 */
export function startInDoubt(error: unknown, workflowId: string, resultUrl: string): TRPCError {
  const mapped = toApiError(error);
  if (mapped.code !== 'SERVICE_UNAVAILABLE') return mapped;
  return new ApiError({
    code: 'SERVICE_UNAVAILABLE',
    message: `Temporal became unavailable while starting workflow "${workflowId}": it may have started. Check resultUrl, or retry with the same Idempotency-Key`,
    details: { workflowId, resultUrl, startInDoubt: true },
    cause: mapped.cause ?? error,
  });
}

/**
 * An update that was not accepted within its wait (no worker took it, or Temporal became unavailable): it may yet
 * run, so the answer names it; a retry with the same Idempotency-Key (the update ID) cannot run it twice.
 */
export function updateInDoubt(
  error: unknown,
  update: { workflowId: string; updateId: string; resultUrl: string },
): TRPCError {
  return new ApiError({
    code: 'SERVICE_UNAVAILABLE',
    message: `Update "${update.updateId}" was not accepted within the wait (is a worker running?); it may still run. Check resultUrl, or retry with the same Idempotency-Key`,
    details: { ...update, updateInDoubt: true },
    cause: error,
  });
}

/** Whether a gRPC failure means the connection, not the request, failed: the start may have been applied. */
export function isConnectionFailure(error: unknown): boolean {
  const code = grpcCodeOf(error);
  return (
    code === GrpcStatus.UNAVAILABLE ||
    code === GrpcStatus.DEADLINE_EXCEEDED ||
    code === GrpcStatus.CANCELLED ||
    code === GrpcStatus.UNKNOWN
  );
}

/** The Retry-After header of an error answer: 503 and 429 carry one, so that clients back off instead of hammering. */
export function retryAfterHeaders(errors: readonly unknown[]): Record<string, string> {
  const retriable = errors.some(
    (error) =>
      error instanceof TRPCError && (error.code === 'SERVICE_UNAVAILABLE' || error.code === 'TOO_MANY_REQUESTS'),
  );
  return retriable ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
}

/** One field at fault: a dotted path into the request and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

function fieldIssuesOf(error: TRPCError): FieldIssue[] | undefined {
  if (!(error.cause instanceof ZodError)) return undefined;
  return error.cause.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** The error shape of both transports: a code, a message without internals, the fields at fault, details, the request id. */
export function formatError({ shape, error, ctx }: { shape: TRPCDefaultErrorShape; error: TRPCError; ctx?: Context }) {
  const fieldIssues = fieldIssuesOf(error);
  const message =
    error.code === 'INTERNAL_SERVER_ERROR'
      ? 'Internal server error'
      : fieldIssues
        ? `Invalid request: ${fieldIssues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`
        : error.message;
  return {
    message,
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      requestId: ctx?.requestId,
      fieldErrors: fieldIssues,
      details: error instanceof ApiError ? error.details : undefined,
    },
  };
}

/** Logs what the caller is not shown: internal errors, with the request id that the caller was given. */
export function logServerError({ error, ctx, path }: { error: TRPCError; ctx?: Context; path?: string }): void {
  if (error.code !== 'INTERNAL_SERVER_ERROR') return;
  const cause = error.cause ?? error;
  ctx?.logger.error('request failed', {
    requestId: ctx.requestId,
    path,
    error: cause instanceof Error ? cause.message : String(cause),
    stack: cause instanceof Error ? cause.stack : undefined,
  });
}

/** The body of an error answered outside tRPC (body parsing, unknown routes, readiness), in the same shape. */
export function errorBody(
  res: ServerResponse,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
): { code: TRPC_ERROR_CODE_KEY; message: string; data: Record<string, unknown> } {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
  return { code, message, data: { code, httpStatus, requestId: res.getHeader(REQUEST_ID_HEADER) } };
}
