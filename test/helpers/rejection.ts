import assert from 'node:assert/strict';

/** Awaits `promise`, which must reject with an instance of `type` (what a workflow or activity failed with); answers it. */
export async function rejectionOf<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => assert.fail(`expected a ${type.name}, but it succeeded`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
  return error;
}
