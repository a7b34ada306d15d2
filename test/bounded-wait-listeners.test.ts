import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { bounded } from '../api/temporal/bounded-wait';
import { useTestServer } from './helpers/temporal';

// The SDK adds an abort listener per gRPC call made under withAbortSignal and never removes it; a result() that
// re-polls many times in one slice (a cluster warming up) once produced "MaxListenersExceededWarning: 11 abort
// listeners added to [AbortSignal]". The per-call signal may hold them; the shared ones must not accumulate.
describe('bounded waits: abort listeners stay bounded', () => {
  const server = useTestServer();

  it('many gRPC calls in one wait: no MaxListenersExceededWarning, no listener left on the shared signals', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const callerGone = new AbortController().signal;
      const draining = new AbortController().signal;
      const client = server.env.client;
      for (let wait = 0; wait < 3; wait++) {
        await bounded(client, { deadline: Date.now() + 10_000, callerGone, draining }, async () => {
          for (let call = 0; call < 25; call++) await client.workflowService.getSystemInfo({});
        });
      }
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        warnings.filter((warning) => /MaxListeners/.test(warning)),
        [],
      );
      assert.equal(getEventListeners(draining, 'abort').length, 0);
      assert.equal(getEventListeners(callerGone, 'abort').length, 0);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
