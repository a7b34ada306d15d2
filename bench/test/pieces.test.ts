import assert from 'node:assert/strict';
import { connect, createServer } from 'node:http2';
import { describe, it } from 'node:test';
import { DEV_SERVER_DYNAMIC_CONFIG, devServerSettingsArgs } from '../../scripts/temporal-dev-server';
import { ALL_SETTINGS_VARIANTS, omittedSettings, SETTING_GROUPS } from '../dev-settings';
import { startCallCounter } from '../grpc-call-counter';

describe('dev-server settings variants', () => {
  it('leave out exactly their group, and every setting belongs to one group', () => {
    const grouped = Object.values(SETTING_GROUPS).flat().sort();
    assert.deepEqual(grouped, Object.keys(DEV_SERVER_DYNAMIC_CONFIG).sort());
    assert.deepEqual(omittedSettings('ours'), []);
    assert.deepEqual([...omittedSettings('defaults')].sort(), grouped);
    const args = devServerSettingsArgs(omittedSettings('without-transfer')).join(' ');
    assert.doesNotMatch(args, /transferProcessorMaxPollRPS/);
    assert.match(args, /timerProcessorMaxPollRPS=10000/);
    assert.equal(ALL_SETTINGS_VARIANTS.length, 2 + Object.keys(SETTING_GROUPS).length);
    assert.throws(() => omittedSettings('without-nothing'), /unknown/);
  });
});

describe('gRPC call counter', () => {
  it('counts one call per HTTP/2 request stream through it, not per frame', async () => {
    const server = createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const counter = await startCallCounter(`127.0.0.1:${port}`);
    const session = connect(`http://${counter.address}`);
    try {
      const call = (body: string): Promise<void> =>
        new Promise((resolve, reject) => {
          // A body and trailers: more frames than requests, as a gRPC call sends.
          const request = session.request({ ':method': 'POST', ':path': '/svc/Method' }, { waitForTrailers: true });
          request.on('wantTrailers', () => request.sendTrailers({ 'x-done': '1' }));
          request.on('error', reject);
          request.resume();
          request.on('end', () => resolve());
          request.end(body);
        });
      for (let i = 0; i < 5; i += 1) await call('x'.repeat(20_000 * i));
      await Promise.all([call('a'), call('b'), call('c')]);
      assert.equal(counter.calls(), 8);
    } finally {
      session.close();
      await counter.close();
      server.close();
    }
  });
});
