// B12 and B13: what progress streams cost Temporal and how late their events are. One API process talks to Temporal
// through a call-counting proxy; an order waits for approval while its shipping address is changed a few times a
// second (each change grows its history), watched over SSE by 1 and then by many subscribers.
import { request, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { orderFulfilmentContract } from '../workflows/order-fulfilment/order-fulfilment.contract';
import type { Log } from './phases';
import type { BenchSettings } from './settings';
import { round, spreadOf } from './stats';

/** Where the progress measurement runs: an API reached through the counter, and Temporal itself for the rest. */
export interface ProgressSetup {
  apiUrl: string;
  calls(): number;
  temporalAddress: string;
  taskQueue: string;
}

export interface ProgressWindow {
  subscribers: number;
  /** Temporal calls per second the API made while they watched. */
  callsPerSec: number;
  /** Events each subscriber received after its first (the snapshot on connecting). */
  eventsPerSubscriber: number;
  /** Milliseconds from the newest history event an event reflects until a subscriber had it, every subscriber. */
  delaysMs: number[];
}

export interface ProgressResult {
  idleCallsPerSec: number;
  /** History changes per second during each window (address updates). */
  changesPerSec: number;
  windows: ProgressWindow[];
}

interface Received {
  historyLength: number;
  atEpochMs: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const ADDRESSES = [
  { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  { name: 'Grace Hopper', line1: '1 Navy Yard', city: 'Arlington', postalCode: '22202', country: 'US' },
];
const CHANGE_EVERY_MS = 250;

/** One SSE subscriber: records each event's id (the history length it reflects) and when it arrived. */
function subscribe(url: string): { events: Received[]; first: Promise<void>; close(): void } {
  const events: Received[] = [];
  let onFirst: () => void = () => undefined;
  let onFail: (error: Error) => void = () => undefined;
  const first = new Promise<void>((resolve, reject) => {
    onFirst = resolve;
    onFail = reject;
  });
  const req = request(url, { headers: { accept: 'text/event-stream' } }, (res: IncomingMessage) => {
    if (res.statusCode !== 200) onFail(new Error(`SSE ${url}: HTTP ${res.statusCode}`));
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const at = now();
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: ?(\d+)$/m.exec(block);
        if (!id) continue;
        events.push({ historyLength: Number(id[1]), atEpochMs: at });
        if (events.length === 1) onFirst();
      }
    });
  });
  req.on('error', (error) => onFail(error));
  req.end();
  return { events, first, close: () => req.destroy() };
}

/** Event times of a workflow's history, by event id (1-based, as historyLength counts). */
async function eventTimes(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map(
    (event) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6,
  );
}

export async function progressPhase(setup: ProgressSetup, settings: BenchSettings, log: Log): Promise<ProgressResult> {
  const connection = await Connection.connect({ address: setup.temporalAddress });
  const client = new Client({ connection });
  const handle = await client.workflow.start('OrderFulfilment', {
    taskQueue: setup.taskQueue,
    workflowId: `bench-progress-${Date.now().toString(36)}`,
    // Large enough to wait for approval, for longer than the measurement.
    args: [
      {
        ...orderFulfilmentContract.exampleInput,
        orderId: `bench-${Date.now().toString(36)}`,
        items: [{ sku: 'LAPTOP-PRO', quantity: 2, unitPriceCents: 80_000 }],
        approvalTimeoutMs: 3_600_000,
      },
    ],
  });
  const url = `${setup.apiUrl}/api/workflows/${encodeURIComponent(handle.workflowId)}/events`;
  const windowMs = settings.durationMs;
  try {
    await sleep(1000); // reserved and waiting for approval
    const idleBefore = setup.calls();
    await sleep(windowMs);
    const idleCallsPerSec = ((setup.calls() - idleBefore) * 1000) / windowMs;
    const windows: ProgressWindow[] = [];
    let changes = 0;
    for (const count of [1, settings.progressSubscribers]) {
      const subscribers = Array.from({ length: count }, () => subscribe(url));
      await Promise.all(subscribers.map((s) => s.first));
      const before = setup.calls();
      const began = performance.now();
      let index = 0;
      while (performance.now() - began < windowMs) {
        const next = began + (index + 1) * CHANGE_EVERY_MS;
        await handle.executeUpdate('changeShippingAddress', {
          args: [{ shippingAddress: ADDRESSES[index % ADDRESSES.length] }],
        });
        index += 1;
        await sleep(Math.max(0, next - performance.now()));
      }
      // The last change's events are on their way; give them a moment before counting.
      await sleep(500);
      const callsPerSec = ((setup.calls() - before) * 1000) / (performance.now() - began);
      for (const s of subscribers) s.close();
      changes += index;
      const times = await eventTimes(handle);
      const delaysMs = subscribers.flatMap((s) =>
        s.events.slice(1).map((e) => round(e.atEpochMs - (times[e.historyLength - 1] ?? Number.NaN), 1)),
      );
      const eventsPerSubscriber = spreadOf(subscribers.map((s) => s.events.length - 1)).median;
      windows.push({ subscribers: count, callsPerSec: round(callsPerSec, 1), eventsPerSubscriber, delaysMs });
      log(
        `progress.${String(count).padEnd(3)} subscribers: ${callsPerSec.toFixed(1)} Temporal calls/s, ` +
          `${eventsPerSubscriber} events each, delay p50 ${spreadOf(delaysMs).median.toFixed(1)} ms`,
      );
    }
    return {
      idleCallsPerSec: round(idleCallsPerSec, 2),
      changesPerSec: round((changes * 1000) / (windowMs * 2), 2),
      windows,
    };
  } finally {
    await handle.terminate('benchmark done').catch(() => undefined);
    await connection.close();
  }
}
