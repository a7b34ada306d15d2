// Per-step timelines of one REST execute, from the history's own timestamps: how long each hand-off through the
// server's task queues took, how long the worker and the activity ran, and what the API added before the start and
// after the close. Taken while a background load runs, since the dev server's queue limiters only bite under load.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { runDriver } from './run-driver';
import { GREETING_INPUT, type TemporalTarget } from './targets';
import { round, spreadOf } from './stats';

export interface TimelineStep {
  step: string;
  ms: number;
}

export interface Timeline {
  variant: string;
  /** Executes whose steps the medians come from, and the background load they ran under. */
  count: number;
  backgroundPerSec: number;
  steps: TimelineStep[];
  totalMs: number;
}

// History event types (temporal.api.enums.v1.EventType) and what the gap before each one is.
const STEP_BEFORE: Record<number, string> = {
  2: 'server: close the run',
  5: 'server: schedule workflow task',
  6: 'hand-off: workflow task to worker',
  7: 'worker: workflow task',
  10: 'server: schedule activity',
  11: 'hand-off: activity task to worker',
  12: 'worker: activity',
};

const now = (): number => performance.timeOrigin + performance.now();

/** One REST execute, timed step by step. */
async function oneTimeline(apiUrl: string, client: Client): Promise<TimelineStep[]> {
  const sent = now();
  const response = await fetch(`${apiUrl}/api/workflows/YourWorkflow/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: GREETING_INPUT }),
  });
  const answered = now();
  const body = (await response.json()) as { workflowId?: string; status?: string };
  if (!response.ok || !body.workflowId || body.status !== 'COMPLETED')
    throw new Error(`timeline execute: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  const history = await client.workflow.getHandle(body.workflowId).fetchHistory();
  const events = (history.events ?? []).map((event) => ({
    type: Number(event.eventType),
    at: Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6,
  }));
  const first = events[0];
  const last = events[events.length - 1];
  if (!first || !last) throw new Error(`timeline execute: ${body.workflowId} has no history`);
  const steps: TimelineStep[] = [{ step: 'API: request to run started', ms: first.at - sent }];
  for (let i = 1; i < events.length; i += 1) {
    const [before, event] = [events[i - 1], events[i]];
    if (!before || !event) continue;
    steps.push({ step: STEP_BEFORE[event.type] ?? `event type ${event.type}`, ms: event.at - before.at });
  }
  steps.push({ step: 'API: run closed to answer', ms: answered - last.at });
  return steps;
}

/**
 * `count` REST executes through `apiUrl`, one every 400 ms, while a driver runs direct executes at `backgroundPerSec`
 * on the same server and queue; returns the median of each step over the executes that had the usual shape.
 */
export async function measureTimeline(
  variant: string,
  apiUrl: string,
  background: TemporalTarget,
  backgroundPerSec: number,
  count: number,
  watch: Record<string, number>,
): Promise<Timeline> {
  const spacingMs = 400;
  const warmupMs = 1000;
  const shape = {
    kind: 'open' as const,
    ratePerSec: backgroundPerSec,
    maxInFlight: 256,
    warmupMs,
    durationMs: count * spacingMs + 2000,
  };
  const load = runDriver({ target: background, shape }, watch);
  const connection = await Connection.connect({ address: background.address });
  const timelines: TimelineStep[][] = [];
  try {
    await sleep(warmupMs + 500);
    for (let i = 0; i < count; i += 1) {
      timelines.push(await oneTimeline(apiUrl, new Client({ connection })));
      await sleep(spacingMs);
    }
  } finally {
    await load.catch(() => undefined);
    await connection.close();
  }
  const shapeOf = (timeline: TimelineStep[]): string => timeline.map((s) => s.step).join('|');
  const usual = timelines.filter((t) => shapeOf(t) === shapeOf(timelines[0] ?? []));
  const steps = (timelines[0] ?? []).map((step, index) => ({
    step: step.step,
    ms: round(spreadOf(usual.map((t) => t[index]?.ms ?? Number.NaN)).median, 1),
  }));
  return {
    variant,
    count: usual.length,
    backgroundPerSec,
    steps,
    totalMs: round(
      steps.reduce((sum, step) => sum + step.ms, 0),
      1,
    ),
  };
}
