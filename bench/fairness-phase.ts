// B16, "noisy neighbours": two in-memory dev servers side by side, one with task-queue fairness
// (matching.enableFairness, as scripts/temporal-dev-server.ts sets it) and one without, each with the service's API
// (two tenants' API keys) and one worker replica held to a few slots, so the queue, not the server, is what work
// waits in. Per server: a quiet tenant's REST executes at a steady rate alone, then the same while a noisy tenant's
// flood of starts (of the same workflow type, on the same queue) drains; B16 is the quiet p50 during ÷ alone. Then
// what fairness costs when one tenant is busy: that tenant's executes alone at the execute rate, p50 and the
// server's CPU per workflow, on vs off.
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { apiKeyDigest, newApiKey } from '../api/auth/api-keys';
import { TENANT_SEARCH_ATTRIBUTE } from '../common/search-attributes';
import type { Log } from './phases';
import { coresBetween, cpuSnapshot } from './proc-stats';
import type { ProcessGroup, Service } from './processes';
import { startApi, startTemporal, startWorker, type TemporalServer } from './services';
import type { BenchSettings } from './settings';
import { median } from './stats';

const QUEUE = 'bench-fairness';
const FAIRNESS_SETTING = 'matching.enableFairness';
/** The worker is the bottleneck: few slots, so a flood becomes a backlog on the queue (where fairness acts). */
const WORKER_TUNING = { WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '2', WORKER_MAX_CONCURRENT_ACTIVITIES: '2' };
const TENANTS = ['noisy', 'quiet'] as const;
type Tenant = (typeof TENANTS)[number];
const DRAIN_TIMEOUT_MS = 300_000;
const REQUEST_TIMEOUT_MS = 60_000;

/** One server's figures; latencies in ms, from sending the HTTP request to having the workflow's result. */
export interface FairnessVariantResult {
  /** Whether the server had matching.enableFairness. */
  fairness: boolean;
  quietAloneP50Ms: number;
  quietDuringP50Ms: number;
  /** quiet during ÷ alone: B16 for the `on` variant. */
  ratio: number;
  quietAloneCount: number;
  quietDuringCount: number;
  quietErrors: number;
  /** The noisy tenant's starts, and from its first start until visibility counts none of them running. */
  floodStarts: number;
  floodDrainMs: number;
  /** One busy tenant alone at the execute rate: p50, and the dev server's CPU per workflow. */
  oneTenantP50Ms: number;
  oneTenantServerCpuMs: number;
  oneTenantCount: number;
}

export interface FairnessResult {
  quietRatePerSec: number;
  oneTenantRatePerSec: number;
  /** `on` and `off`, once per repetition each, in alternating order. */
  runs: FairnessVariantResult[];
}

interface Variant {
  fairness: boolean;
  server: TemporalServer;
  api: { service: Service; url: string };
  processes: Service[];
  keys: Record<Tenant, string>;
}

async function startVariant(group: ProcessGroup, cli: string, fairness: boolean): Promise<Variant> {
  const name = fairness ? 'fair-on' : 'fair-off';
  const server = await startTemporal(
    group,
    `temporal-${name}`,
    cli,
    { kind: 'memory' },
    fairness ? [] : [FAIRNESS_SETTING],
  );
  const keys = { noisy: newApiKey(), quiet: newApiKey() };
  const entries = TENANTS.map((tenant) => ({
    name: tenant,
    sha256: apiKeyDigest(keys[tenant]),
    scopes: ['workflows:start', 'workflows:read'],
    tenant,
  }));
  const [worker, api] = await Promise.all([
    startWorker(group, `worker-${name}`, server.address, QUEUE, WORKER_TUNING),
    startApi(group, `api-${name}`, server.address, QUEUE, [], { AUTH_API_KEYS: JSON.stringify(entries) }),
  ]);
  return { fairness, server, api, processes: [api.service, worker, server.service], keys };
}

/** One REST execute of YourWorkflow as a tenant; resolves with its latency, rejects on any answer but the result. */
async function execute(variant: Variant, tenant: Tenant, input: string): Promise<number> {
  const began = performance.now();
  const response = await fetch(`${variant.api.url}/api/workflows/YourWorkflow/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': variant.keys[tenant] },
    body: JSON.stringify({ input, waitMs: REQUEST_TIMEOUT_MS }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + 5_000),
  });
  const body = (await response.json()) as { status?: string; result?: unknown };
  if (response.status !== 200 || body.result !== `Hello, ${input}!`)
    throw new Error(`execute: HTTP ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  return performance.now() - began;
}

interface Timed {
  sentAt: number;
  ms: number;
}

/**
 * Open loop: one execute every 1/rate s (whatever the answers do) until `until` says stop; every answer is kept with
 * the time it was sent. Errors are counted, not retried.
 */
async function steadyExecutes(
  variant: Variant,
  tenant: Tenant,
  ratePerSec: number,
  until: (sent: number) => boolean,
): Promise<{ timed: Timed[]; errors: number; firstError?: string }> {
  const timed: Timed[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const began = performance.now();
  for (let sent = 0; !until(sent); sent += 1) {
    const due = began + (sent * 1000) / ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    pending.push(
      execute(variant, tenant, `${tenant} ${sent}`).then(
        (ms) => void timed.push({ sentAt, ms }),
        (error: unknown) => {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  return { timed, errors, firstError };
}

/** Starts `count` YourWorkflows as the noisy tenant, `concurrency` at a time, as fast as the API takes them. */
async function flood(variant: Variant, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const response = await fetch(`${variant.api.url}/api/workflows/YourWorkflow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': variant.keys.noisy },
        body: JSON.stringify({ input: `flood ${index}` }),
      });
      if (response.status !== 200) throw new Error(`flood start: HTTP ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
}

/** Waits until visibility counts none of the tenant's runs open; resolves with when that was seen. */
async function drained(client: Client, tenant: Tenant): Promise<number> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const { count } = await client.workflow.count(
      `${TENANT_SEARCH_ATTRIBUTE} = '${tenant}' AND ExecutionStatus = 'Running'`,
    );
    if (count === 0) return performance.now();
    if (performance.now() > deadline)
      throw new Error(`${count} ${tenant} runs still open after ${DRAIN_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

async function measureVariant(variant: Variant, settings: BenchSettings, log: Log): Promise<FairnessVariantResult> {
  const { fairnessQuietRatePerSec: rate, fairnessAloneCount, fairnessFloodStarts, fairnessOneTenantMs } = settings;
  const connection = await Connection.connect({ address: variant.server.address });
  const client = new Client({ connection });
  try {
    const alone = await steadyExecutes(variant, 'quiet', rate, (sent) => sent >= fairnessAloneCount);

    // The flood and the quiet tenant together; the quiet executes sent before the noisy runs have drained count.
    let floodOver = false;
    const floodBegan = performance.now();
    const quiet = steadyExecutes(variant, 'quiet', rate, () => floodOver);
    let drainedAt = Number.NaN;
    try {
      await flood(variant, fairnessFloodStarts, settings.fairnessFloodConcurrency);
      drainedAt = await drained(client, 'noisy');
    } finally {
      floodOver = true;
    }
    const during = await quiet;
    const duringMs = during.timed.filter((t) => t.sentAt <= drainedAt).map((t) => t.ms);

    // One busy tenant alone: what fairness costs when there is nobody to be fair to.
    const pids = { server: variant.server.service.pid };
    const before = cpuSnapshot(pids);
    const one = await steadyExecutes(
      variant,
      'noisy',
      settings.executeOpenRate,
      (sent) => sent >= Math.round((settings.executeOpenRate * fairnessOneTenantMs) / 1000),
    );
    const serverCores = coresBetween(before, cpuSnapshot(pids)).server ?? Number.NaN;
    const oneMs = one.timed.map((t) => t.ms);
    const oneWindowS = (performance.now() - (one.timed[0]?.sentAt ?? performance.now())) / 1000;

    const errors = alone.errors + during.errors + one.errors;
    const firstError = alone.firstError ?? during.firstError ?? one.firstError;
    if (errors > 0) log(`fairness ${variant.fairness ? 'on' : 'off'}: ${errors} errors (${firstError})`);
    const quietAloneP50Ms = median(alone.timed.map((t) => t.ms));
    const quietDuringP50Ms = median(duringMs);
    return {
      fairness: variant.fairness,
      quietAloneP50Ms: Math.round(quietAloneP50Ms * 10) / 10,
      quietDuringP50Ms: Math.round(quietDuringP50Ms * 10) / 10,
      ratio: quietDuringP50Ms / quietAloneP50Ms,
      quietAloneCount: alone.timed.length,
      quietDuringCount: duringMs.length,
      quietErrors: errors,
      floodStarts: fairnessFloodStarts,
      floodDrainMs: Math.round(drainedAt - floodBegan),
      oneTenantP50Ms: Math.round(median(oneMs) * 10) / 10,
      oneTenantServerCpuMs: Math.round(((serverCores * oneWindowS * 1000) / Math.max(1, oneMs.length)) * 100) / 100,
      oneTenantCount: oneMs.length,
    };
  } finally {
    await connection.close();
  }
}

/** B16's phase: both servers started side by side, measured one after the other, in alternating order per repetition. */
export async function fairnessPhase(
  group: ProcessGroup,
  cli: string,
  settings: BenchSettings,
  log: Log,
): Promise<FairnessResult> {
  const variants: Variant[] = [];
  try {
    variants.push(await startVariant(group, cli, true), await startVariant(group, cli, false));
    const runs: FairnessVariantResult[] = [];
    for (let rep = 0; rep < settings.reps; rep += 1) {
      const order = rep % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const run = await measureVariant(variant, settings, log);
        runs.push(run);
        log(
          `fairness ${run.fairness ? 'on ' : 'off'} rep ${rep + 1}/${settings.reps}: quiet p50 ${run.quietAloneP50Ms} ms alone, ` +
            `${run.quietDuringP50Ms} ms during a flood of ${run.floodStarts} (${run.ratio.toFixed(2)}×, ` +
            `${run.quietDuringCount} executes; drained in ${run.floodDrainMs} ms); one tenant alone p50 ` +
            `${run.oneTenantP50Ms} ms, server ${run.oneTenantServerCpuMs} ms CPU per workflow`,
        );
      }
    }
    return { quietRatePerSec: settings.fairnessQuietRatePerSec, oneTenantRatePerSec: settings.executeOpenRate, runs };
  } finally {
    for (const variant of variants.reverse()) for (const process of variant.processes) await group.stop(process);
  }
}
