import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signedRequest } from '../activities/webhook-delivery';
import { checkUrl, destinationPolicyOf, resolveChecked } from '../common/callbacks/destination';
import { ConfigError, loadConfig } from '../common/config';

// The rules of callback destinations and signing, without a server: what the API and every delivery attempt apply.

const policy = (env: Record<string, string>) => destinationPolicyOf(loadConfig({ LOG_LEVEL: 'silent', ...env }));
const SECRET = `whsec_${Buffer.from('a-first-secret-of-24-byte').toString('base64')}`;

describe('callback destinations', () => {
  const allowed = policy({
    CALLBACK_ALLOWED_URLS: 'https://hooks.example.com/temporal/,*.partner.example,10.1.2.3',
    CALLBACK_SIGNING_SECRET: SECRET,
    NODE_ENV: 'production',
  });

  it('accepts URL prefixes on a path boundary and host patterns, nothing else', () => {
    assert.equal(checkUrl('https://hooks.example.com/temporal/done', allowed).hostname, 'hooks.example.com');
    assert.equal(checkUrl('https://a.partner.example/x', allowed).hostname, 'a.partner.example');
    for (const url of [
      'https://hooks.example.com.evil.example/temporal/',
      'https://hooks.example.com/other',
      'https://hooks.example.com:8443/temporal/',
      'https://partner.example.evil/x',
    ])
      assert.throws(() => checkUrl(url, allowed), /allow-list/, url);
  });

  it('refuses http in production, credentials in the URL, and non-public literal addresses even when listed', () => {
    assert.throws(() => checkUrl('http://hooks.example.com/temporal/', allowed), /use https/);
    assert.throws(() => checkUrl('https://u:p@hooks.example.com/temporal/', allowed), /credentials/);
    assert.throws(() => checkUrl('https://10.1.2.3/x', allowed), /private|loopback/);
    const open = policy({
      CALLBACK_ALLOWED_URLS: '10.1.2.3',
      CALLBACK_ALLOWED_NETWORKS: '10.1.0.0/16',
      CALLBACK_SIGNING_SECRET: SECRET,
      NODE_ENV: 'production',
      CALLBACK_ALLOW_HTTP: 'true',
    });
    assert.equal(checkUrl('http://10.1.2.3/x', open).hostname, '10.1.2.3', 'allowed network and http');
  });

  it('checks every resolved address, IPv6 and IPv4-mapped included', async () => {
    const everything = policy({ CALLBACK_ALLOWED_URLS: '*', CALLBACK_SIGNING_SECRET: SECRET });
    for (const address of ['127.0.0.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0'])
      await assert.rejects(resolveChecked(address, everything), /loopback, private/, address);
    await assert.rejects(resolveChecked('localhost', everything), /loopback, private/);
    assert.deepEqual(await resolveChecked('93.184.215.14', everything), [{ address: '93.184.215.14', family: 4 }]);
  });

  it('refuses a bad configuration at start-up, one line per variable', () => {
    assert.throws(
      () => loadConfig({ CALLBACK_ALLOWED_URLS: 'hooks.example.com' }),
      (error: unknown) => error instanceof ConfigError && /CALLBACK_SIGNING_SECRET: required/.test(error.message),
    );
    assert.throws(() => loadConfig({ CALLBACK_SIGNING_SECRET: 'not-a-secret' }), /CALLBACK_SIGNING_SECRET.*whsec_/);
    assert.throws(() => loadConfig({ CALLBACK_ALLOWED_NETWORKS: '10.0.0.1' }), /CALLBACK_ALLOWED_NETWORKS.*CIDR/);
  });

  it('signs with every secret during rotation: a receiver holding either verifies, another does not', () => {
    const second = `whsec_${Buffer.from('the-second-secret-24-byte').toString('base64')}`;
    const closed = {
      outcome: { workflowId: 'w', runId: 'r', status: 'COMPLETED', result: 1 },
      closedAt: new Date().toISOString(),
    };
    const { headers, body } = signedRequest({ secrets: [SECRET, second] }, { webhookId: 'msg_1', closed });
    assert.equal(headers['webhook-signature']?.split(' ').length, 2);
    for (const secret of [SECRET, second]) assert.ok(new Webhook(secret).verify(body, headers));
    const stranger = `whsec_${Buffer.from('a-stranger-secret-24-byte').toString('base64')}`;
    assert.throws(() => new Webhook(stranger).verify(body, headers), /signature/i);
    assert.throws(() => new Webhook(SECRET).verify(`${body} `, headers), /signature/i, 'a changed body');
  });
});
