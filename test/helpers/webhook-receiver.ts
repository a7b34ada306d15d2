import { join } from 'node:path';
import { spawnNode, type RunningProcess } from './processes';

const RECEIVER = join(__dirname, '..', 'fixtures', 'webhook-receiver.ts');
const TSX = require.resolve('tsx');

/** A Standard Webhooks secret for tests (whsec_ + base64 of 24 bytes). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('temporal-http-test-secret').toString('base64')}`;

/** One POST the receiver got, as it printed it. */
export interface Received {
  path: string;
  webhookId: string;
  contentType: string;
  verified: boolean;
  error?: string;
  event: {
    id: string;
    type: string;
    subject: string;
    source: string;
    specversion: string;
    data: Record<string, unknown>;
  };
}

/** A receiver process (test/fixtures/webhook-receiver.ts) on 127.0.0.1, verifying with `standardwebhooks`. */
export interface Receiver {
  readonly process: RunningProcess;
  readonly port: number;
  readonly url: string;
  /** What it received so far. */
  received(): Received[];
  /** Resolves once a POST for `workflowId` arrived (rejects with its output after `timeoutMs`). */
  waitFor(workflowId: string, timeoutMs: number): Promise<Received>;
}

export async function startReceiver({
  port = 0,
  secret = TEST_WEBHOOK_SECRET,
  redirectTo,
}: { port?: number; secret?: string; redirectTo?: string } = {}): Promise<Receiver> {
  const args = ['--import', TSX, RECEIVER, '--port', String(port), '--secret', secret];
  const child = spawnNode('receiver', redirectTo ? [...args, '--redirect-to', redirectTo] : args, {});
  const line = await child.waitForLine(/"listening":\d+/, 30_000);
  const listening = (JSON.parse(line) as { listening: number }).listening;
  const received = (): Received[] =>
    child
      .output()
      .split('\n')
      .filter((text) => text.startsWith('{"received"'))
      .map((text) => (JSON.parse(text) as { received: Received }).received);
  return {
    process: child,
    port: listening,
    url: `http://127.0.0.1:${listening}/hooks`,
    received,
    async waitFor(workflowId, timeoutMs) {
      const escaped = JSON.stringify(workflowId)
        .slice(1, -1)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await child.waitForLine(new RegExp(`"received".*"subject":"${escaped}"`), timeoutMs);
      const found = received().find((item) => item.event.subject === workflowId);
      if (!found) throw new Error(`no POST for ${workflowId}`);
      return found;
    },
  };
}
