import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import type { Send } from './load';

/** An HTTP endpoint that answers JSON; `expect` names where the answer must hold a value (and which, if given). */
export interface HttpTarget {
  kind: 'http';
  url: string;
  body: unknown;
  expect: { path: string[]; equals?: unknown };
}

/** A workflow run by the direct targets: YourWorkflow greeting "World" unless given. */
export interface WorkflowCall {
  type: string;
  args: unknown[];
  /** The result every run must return. */
  result: unknown;
}

/**
 * The Temporal client called directly, as a service would without any HTTP front. `temporal-visibility` starts a
 * run and polls the list API until the run shows in it: its latency is how stale a list is (dev-server settings).
 */
export interface TemporalTarget {
  kind: 'temporal-start' | 'temporal-execute' | 'temporal-visibility';
  address: string;
  namespace: string;
  taskQueue: string;
  workflow?: WorkflowCall;
}

export type Target = HttpTarget | TemporalTarget;

/** A ready-to-drive target: `send` does one request, `close` releases its connections. */
export interface OpenTarget {
  send: Send;
  close(): Promise<void>;
}

export const GREETING_INPUT = 'World';
const REQUEST_TIMEOUT_MS = 30_000;
export const GREETING_OUTPUT = 'Hello, World!';
export const GREETING: WorkflowCall = { type: 'YourWorkflow', args: [GREETING_INPUT], result: GREETING_OUTPUT };
// How often the visibility probe lists: every 5 ms at first (fine next to the 50 ms ticks it is there to show), then
// backing off to 50 ms as the wait grows (an error of at most a tenth of the wait).
const VISIBILITY_POLL_MS = 5;
const VISIBILITY_POLL_MAX_MS = 50;

function valueAt(value: unknown, path: string[]): unknown {
  let at = value;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function openHttp(target: HttpTarget, sockets: number): OpenTarget {
  // Keep-alive sockets, one per concurrent caller, as a real HTTP client pool would hold.
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const url = new URL(target.url);
  const payload = Buffer.from(JSON.stringify(target.body));
  const headers = { 'content-type': 'application/json', 'content-length': String(payload.length) };
  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const found = valueAt(JSON.parse(text), target.expect.path);
            const ok =
              res.statusCode === 200 &&
              found !== undefined &&
              (target.expect.equals === undefined || found === target.expect.equals);
            if (ok) resolve();
            else reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          } catch {
            reject(new Error(`HTTP ${res.statusCode}: not JSON: ${text.slice(0, 200)}`));
          }
        });
      });
      req.on('error', reject);
      // A peer that retries a failing handler forever must fail the run, not hang it.
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.end(payload);
    });
  return {
    send: once,
    close: async () => agent.destroy(),
  };
}

async function openTemporal(target: TemporalTarget): Promise<OpenTarget> {
  // One connection for the whole load, as the API holds one for the life of its process.
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: target.namespace });
  const workflow = target.workflow ?? GREETING;
  const options = () => ({
    taskQueue: target.taskQueue,
    workflowId: `${workflow.type}-${randomUUID()}`,
    args: workflow.args,
  });
  const sends: Record<TemporalTarget['kind'], Send> = {
    'temporal-start': async () => {
      await client.workflow.start(workflow.type, options());
    },
    'temporal-execute': async () => {
      const result: unknown = await client.workflow.execute(workflow.type, options());
      if (result !== workflow.result) throw new Error(`unexpected result ${JSON.stringify(result)}`);
    },
    'temporal-visibility': async () => {
      const start = options();
      const { workflowId } = start;
      const startedAt = Date.now();
      await client.workflow.start(workflow.type, start);
      const deadline = Date.now() + REQUEST_TIMEOUT_MS;
      for (;;) {
        for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'`, pageSize: 1 })) return;
        if (Date.now() > deadline) throw new Error(`${workflowId} not listed within ${REQUEST_TIMEOUT_MS} ms`);
        // Fine steps first, coarser later: a slow list must not be made slower by a storm of list calls.
        await sleep(Math.min(VISIBILITY_POLL_MAX_MS, VISIBILITY_POLL_MS + (Date.now() - startedAt) / 10));
      }
    },
  };
  return { send: sends[target.kind], close: () => connection.close() };
}

/** Connects to a target; `sockets` bounds the HTTP connection pool (the load's concurrency). */
export async function openTarget(target: Target, sockets: number): Promise<OpenTarget> {
  return target.kind === 'http' ? openHttp(target, sockets) : openTemporal(target);
}
