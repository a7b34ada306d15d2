import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { LONG_POLL_SLICE_MS, slicedLongPoll } from '../api/temporal/bounded-wait';
import { useTestServer, withApi } from './helpers/api';

// Result waits long-poll in LONG_POLL_SLICE_MS slices (README "Every wait is bounded"): a run that closes in a later
// slice is answered when it closes, not at the deadline, and a long-poll that misses its wake-up costs one slice.
describe('bounded waits: long-poll slices', () => {
  const server = useTestServer();

  it('answers a result wait when the run closes in a later slice, not at the deadline', async () => {
    await withApi(server, async ({ app }) => {
      const activityDelayMs = 4_500;
      const started = await request(app)
        .post('/api/workflows/ActivityTimeoutWorkflow')
        .send({ input: { name: 'Later', timeout: 'startToClose', timeoutMs: 30_000, activityDelayMs } })
        .expect(200);
      const askedAt = Date.now();
      const outcome = await request(app)
        .get(`/api/workflows/${started.body.workflowId}/result?waitMs=8000`)
        .expect(200);
      const tookMs = Date.now() - askedAt;
      assert.equal(outcome.body.status, 'COMPLETED');
      assert.equal(outcome.body.result, 'Hello, Later!');
      assert.ok(tookMs > LONG_POLL_SLICE_MS, `answered after ${tookMs} ms, inside the first slice`);
      assert.ok(tookMs < activityDelayMs + 2_000, `answered ${tookMs} ms after the ask: not when the run closed`);
    });
  });

  it('a long-poll that misses its wake-up costs at most one slice: the next slice reads the closed run', async () => {
    const never = new AbortController();
    let polls = 0;
    const startedAt = Date.now();
    const answer = await slicedLongPoll(
      server.env.client,
      { deadline: Date.now() + 10_000, callerGone: never.signal, draining: never.signal },
      // The first poll never hears the close (a missed wake-up); the next one reads it at once.
      () => (++polls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('closed')),
    );
    const tookMs = Date.now() - startedAt;
    assert.equal(answer, 'closed');
    assert.equal(polls, 2);
    assert.ok(tookMs >= LONG_POLL_SLICE_MS - 100, `answered after ${tookMs} ms`);
    assert.ok(tookMs < LONG_POLL_SLICE_MS + 1_000, `the missed wake-up cost ${tookMs} ms, more than one slice`);
  });
});
