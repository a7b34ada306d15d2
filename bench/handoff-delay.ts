// Reproduces the hand-off delay docs/benchmarks.md reports: single YourWorkflow timelines from a fresh worker, after
// a burst of executes, and after restarting the worker. Prints each run's history as "event type:ms since start".
// Usage (after npm run build): node --import tsx bench/handoff-delay.ts [burst rate per second, default 12]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ProcessGroup } from './processes';
import { runDriver } from './run-driver';
import { startTemporal, startWorker, temporalCliPath } from './services';

const QUEUE = 'handoff';

/** Runs `count` workflows one after another and returns their histories as event-type:offset lines. */
async function timelines(client: Client, count: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const handle = await client.workflow.start('YourWorkflow', {
      taskQueue: QUEUE,
      workflowId: `handoff-${Date.now()}-${i}`,
      args: ['World'],
    });
    await handle.result();
    const events = (await handle.fetchHistory()).events ?? [];
    const at = (event: (typeof events)[number]): number =>
      Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
    const first = events[0] ? at(events[0]) : 0;
    lines.push(events.map((event) => `${event.eventType}:${(at(event) - first).toFixed(0)}`).join(' '));
  }
  return lines;
}

async function main(): Promise<void> {
  const rate = Number(process.argv[2] ?? 12);
  const dir = mkdtempSync(join(tmpdir(), 'handoff-'));
  const group = new ProcessGroup(join(dir, 'logs'));
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  try {
    const server = await startTemporal(group, 'temporal', temporalCliPath(), { kind: 'file', path: join(dir, 't.db') });
    let worker = await startWorker(group, 'worker', server.address, QUEUE);
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    out('event types: 1 started, 5/6/7 workflow task scheduled/started/completed, 10/11/12 activity, 2 completed');
    out('fresh worker:');
    (await timelines(client, 3)).forEach((line) => out(`  ${line}`));
    const target = {
      kind: 'temporal-execute' as const,
      address: server.address,
      namespace: 'default',
      taskQueue: QUEUE,
    };
    const shape = { kind: 'open' as const, ratePerSec: rate, maxInFlight: 256, warmupMs: 1000, durationMs: 5000 };
    const burst = await runDriver({ target, shape }, { temporal: server.service.pid, worker: worker.pid });
    out(`burst of ${rate}/s: p50 ${burst.latency.p50} ms`);
    out('same worker after the burst:');
    (await timelines(client, 3)).forEach((line) => out(`  ${line}`));
    await group.stop(worker);
    worker = await startWorker(group, 'worker-restarted', server.address, QUEUE);
    out('restarted worker:');
    (await timelines(client, 3)).forEach((line) => out(`  ${line}`));
    await connection.close();
  } finally {
    await group.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
