import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { REST_BASE_PATH } from './rest-paths';

/** The procedures a request ran, recorded by tRPC middleware: the route label comes from them, not from the URL. */
export interface RouteRecord {
  procedures: string[];
  /** The REST path template from the procedure's OpenAPI meta, e.g. /workflows/{workflowId}/result. */
  openApiPath?: string;
  /** Who made the request (API key name or token subject), once authenticated: the access log names it. */
  caller?: string;
}

/** The route label of every tRPC batch of more than one call. */
export const TRPC_BATCH_ROUTE = '/trpc/(batch)';

/** The most calls one tRPC batch may hold (larger batches are a 400); clients set httpBatchLink's maxItems to it. */
export const TRPC_MAX_BATCH_SIZE = 10;

const records = new WeakMap<IncomingMessage, RouteRecord>();

/** The record of one request, made by its context factory and filled in by the procedure middleware. */
export function routeRecordOf(req: IncomingMessage): RouteRecord {
  let record = records.get(req);
  if (!record) {
    record = { procedures: [] };
    records.set(req, record);
  }
  return record;
}

/** The caller a request was authenticated as, if it got that far. */
export function callerOf(req: IncomingMessage): string | undefined {
  return records.get(req)?.caller;
}

/**
 * The low-cardinality route of a request for logs and metrics: the REST template (/api/workflows/{workflowId}/result),
 * the tRPC procedure (/trpc/executions.result) or /trpc/(batch), or the Express route (/healthz); never a path with an ID in it.
 */
export function routeLabelOf(req: Request): string {
  const record = records.get(req);
  if (record && record.procedures.length > 0) {
    if (req.originalUrl.startsWith(`${REST_BASE_PATH}/`) && record.openApiPath)
      return REST_BASE_PATH + record.openApiPath;
    // A batch is one label whatever it holds: labelled by its procedures, every combination a client (or anyone
    // unauthenticated) sends would be a new time series.
    return record.procedures.length === 1 ? `/trpc/${record.procedures[0]}` : TRPC_BATCH_ROUTE;
  }
  const expressRoute = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof expressRoute === 'string') return req.baseUrl + expressRoute;
  return 'unmatched';
}
