import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  QueryRejectedError,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ZodError } from 'zod';
import { searchAttributeMissingMessage, searchAttributeNamedIn } from '../../common/search-attributes';
import { WaitEnded } from '../temporal/bounded-wait';

/**
 * A mapped error that also carries machine-readable details (e.g. the existing run of a 409) and the response
 * headers that go with it (WWW-Authenticate on a 401, Retry-After on a 429 or 503), on every transport.
 */
export class ApiError extends TRPCError {
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /** An HTTP status tRPC has no code for (410 Gone); unset, the code's own status. */
  readonly httpStatus: number | undefined;
  constructor(opts: {
    code: TRPC_ERROR_CODE_KEY;
    message: string;
    details?: Record<string, unknown>;
    headers?: Record<string, string>;
    httpStatus?: number;
    cause?: unknown;
  }) {
    super(opts);
    this.details = opts.details ?? {};
    this.headers = opts.headers ?? {};
    this.httpStatus = opts.httpStatus;
  }
}

/** One field at fault: a dotted path into the request and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The most field errors one 400 lists. */
export const MAX_FIELD_ERRORS = 20;

/**
 * Invalid input, with the fields at fault. It does not keep the ZodError as its cause: trpc-to-openapi would then
 * replace the message with "Input validation failed", and both transports must answer the same message.
 */
export class InputError extends ApiError {
  readonly fieldErrors: FieldIssue[];
  constructor(allFieldErrors: FieldIssue[]) {
    // A body of many thousand unknown fields must not make an answer several times its size: list the first few.
    const omitted = allFieldErrors.length - MAX_FIELD_ERRORS;
    const fieldErrors =
      omitted > 0
        ? [
            ...allFieldErrors.slice(0, MAX_FIELD_ERRORS),
            { path: '(more)', message: `${omitted} more field errors not listed` },
          ]
        : allFieldErrors;
    super({
      code: 'BAD_REQUEST',
      message: `Invalid request: ${fieldErrors.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    });
    this.fieldErrors = fieldErrors;
  }
}

const pathText = (path: readonly PropertyKey[]): string => path.map(String).join('.') || '(root)';

function inputErrorOf(error: ZodError): InputError {
  return new InputError(
    error.issues.flatMap((issue): FieldIssue[] =>
      // An unknown key is named as the field at fault, so a misspelt `workflowID` says so.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: pathText([...issue.path, key]), message: 'unknown field' }))
        : [{ path: pathText(issue.path), message: issue.message }],
    ),
  );
}

/** Seconds a caller is told to wait (Retry-After) before retrying a 503 or 429: long enough for the client to reconnect. */
export const RETRY_AFTER_SECONDS = 1;

// A 503 always says when to come back.
const RETRY_AFTER_UNAVAILABLE = { 'retry-after': String(RETRY_AFTER_SECONDS) };

/** A rejected or failed update is the client's to fix (422), with the workflow's reason as the message. */
function updateFailed(error: WorkflowUpdateFailedError): ApiError {
  const reason = error.cause instanceof Error ? error.cause.message : error.message;
  return new ApiError({
    code: 'UNPROCESSABLE_CONTENT',
    message: `Update rejected: ${reason}`,
    details: { reason },
    cause: error,
  });
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

function grpcMessageOf(error: unknown): string {
  if (isGrpcServiceError(error)) return error.details || error.message;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause))
    return error.cause.details || error.cause.message;
  return '';
}

/** An answer about one workflow or schedule: its ID in the details, and in the message where it says `%s`. */
function aboutId(error: Error, code: TRPC_ERROR_CODE_KEY, details: Record<string, string>, message: string): ApiError {
  const [id = ''] = Object.values(details);
  return new ApiError({ code, message: message.replace('%s', () => id), cause: error, details });
}

/**
 * The one mapping from what Temporal (or anything else) throws to the API's error codes.
 * tRPC and REST both answer from it, so a code means the same on every transport.
 */
export function toApiError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    if (error.code === 'BAD_REQUEST' && error.cause instanceof ZodError) return inputErrorOf(error.cause);
    if (error.code === 'INTERNAL_SERVER_ERROR' && error.cause && !(error instanceof ApiError))
      return toApiError(error.cause);
    return error;
  }
  if (error instanceof ZodError) return inputErrorOf(error);
  if (error instanceof QueryRejectedError) {
    return new ApiError({ code: 'CONFLICT', message: 'Query rejected: the workflow is closed', cause: error });
  }
  if (error instanceof QueryNotRegisteredError) {
    return new ApiError({
      code: 'NOT_IMPLEMENTED',
      message: 'The workflow does not answer this query (is the worker up to date?)',
      cause: error,
    });
  }
  if (error instanceof WorkflowUpdateFailedError) return updateFailed(error);
  if (error instanceof WorkflowNotFoundError)
    return aboutId(error, 'NOT_FOUND', { workflowId: error.workflowId }, 'No workflow with ID "%s"');
  // The gateway throws the SDK's schedule errors naming the caller's schedule ID (api/temporal/schedule-gateway.ts).
  if (error instanceof ScheduleNotFoundError)
    return aboutId(error, 'NOT_FOUND', { scheduleId: error.scheduleId }, 'No schedule with ID "%s"');
  if (error instanceof ScheduleAlreadyRunning)
    return aboutId(error, 'CONFLICT', { scheduleId: error.scheduleId }, 'A schedule with ID "%s" already exists');
  if (error instanceof WorkflowExecutionAlreadyStartedError)
    return aboutId(error, 'CONFLICT', { workflowId: error.workflowId }, 'A workflow with ID "%s" is already running');
  // A call that did not answer by its deadline (api/temporal/bounded-wait.ts): Temporal is unreachable or overloaded.
  if (error instanceof WaitEnded)
    return new ApiError({ code: 'SERVICE_UNAVAILABLE', message: TEMPORAL_UNAVAILABLE, cause: error });
  const grpcCode = grpcCodeOf(error);
  const mapped = grpcCode === undefined ? undefined : grpcToTrpc[grpcCode];
  if (mapped === 'SERVICE_UNAVAILABLE')
    return new ApiError({
      code: mapped,
      message: TEMPORAL_UNAVAILABLE,
      cause: error,
      headers: RETRY_AFTER_UNAVAILABLE,
    });
  // Temporal refusing a search attribute the API stamps is the server's misconfiguration, not the caller's mistake.
  const attribute = grpcCode === GrpcStatus.INVALID_ARGUMENT ? searchAttributeNamedIn(grpcMessageOf(error)) : undefined;
  if (attribute !== undefined)
    return new ApiError({
      code: 'SERVICE_UNAVAILABLE',
      message: searchAttributeMissingMessage(attribute),
      cause: error,
      details: { searchAttribute: attribute },
      headers: RETRY_AFTER_UNAVAILABLE,
    });
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
    return new ApiError({
      code: 'SERVICE_UNAVAILABLE',
      message: TEMPORAL_UNAVAILABLE,
      cause: error,
      headers: RETRY_AFTER_UNAVAILABLE,
    });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', cause: error });
}

/** An answer after a run was started: it names the run, and whatever must hold for a started run (its callback) can. */
export class KnownRunError extends ApiError {
  constructor(
    readonly run: KnownRun,
    opts: ConstructorParameters<typeof ApiError>[0],
  ) {
    super(opts);
  }
}

/**
 * An error met after Temporal accepted the start (a failed wait, an unreachable server, a bug of ours): mapped as
 * usual, but the answer names the run, so that a caller never retries blind and runs the work twice. A 500 says no
 * more than that: the run, never the internals (those are logged).
 */
export function withKnownRun(error: unknown, run: KnownRun): KnownRunError {
  const mapped = toApiError(error);
  const details = mapped instanceof ApiError ? mapped.details : {};
  const message =
    mapped.code === 'SERVICE_UNAVAILABLE'
      ? `Workflow "${run.workflowId}" was started (run ${run.runId}) but Temporal became unavailable; fetch its result from resultUrl`
      : mapped.code === 'INTERNAL_SERVER_ERROR'
        ? `Workflow "${run.workflowId}" was started (run ${run.runId}) but this answer failed; fetch its result from resultUrl`
        : mapped.message;
  return new KnownRunError(run, {
    code: mapped.code,
    message,
    details: { ...details, ...run },
    cause: mapped.cause ?? error,
  });
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

const UNREADABLE_TOKEN = new Set<number>([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.INTERNAL, GrpcStatus.UNKNOWN]);

/**
 * What a list call that carried the caller's page token failed with: a token the server cannot read (one it did not
 * make; the dev server answers UNKNOWN) is the caller's mistake, a 400 naming pageToken; anything else as it is.
 */
export function pageTokenError(error: unknown): unknown {
  for (let link: unknown = error; link instanceof Error; link = link.cause)
    if (isGrpcServiceError(link) && UNREADABLE_TOKEN.has(link.code))
      return new ApiError({
        code: 'BAD_REQUEST',
        message: 'Invalid request: pageToken: not a nextPageToken this API gave out',
        details: { field: 'pageToken' },
        cause: error,
      });
  return error;
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

/** The fields at fault of an invalid-input error, however it was raised (our InputError or tRPC's own input check). */
export function fieldIssuesOf(error: TRPCError): FieldIssue[] | undefined {
  if (error instanceof InputError) return error.fieldErrors;
  if (error.cause instanceof ZodError) return inputErrorOf(error.cause).fieldErrors;
  return undefined;
}
