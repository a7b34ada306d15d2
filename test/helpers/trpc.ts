import assert from 'node:assert/strict';
import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../api/router';

/** Awaits a call that must fail over tRPC, and returns its typed error. */
export async function rejection(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof TRPCClientError, `not a TRPCClientError: ${String(error)}`);
    return error as TRPCClientError<AppRouter>;
  }
  assert.fail('the call succeeded');
}
