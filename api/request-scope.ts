import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { requestIdOf } from './context';

const requestIds = new AsyncLocalStorage<string>();

/**
 * Assigns every request its id (echoed in x-request-id) and keeps it in scope, so that errors answered before a
 * tRPC context exists (unknown REST routes, unsupported media types) still carry it in the body.
 */
export function requestScope(): RequestHandler {
  return (req, res, next) => requestIds.run(requestIdOf(req, res), next);
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}
