// Rows C1–C4: the service on a production-shaped Temporal (npm run cluster: four services as separate processes, 4
// history shards, persistence and visibility on PostgreSQL) beside the dev server, in the same run. The cluster's CPU
// is every one of its processes: the four services, the postmaster and each PostgreSQL backend (one per pooled
// connection, long-lived, so they are listed once at the start of the phase).
import { readdirSync, readFileSync } from 'node:fs';
import { startCluster, type LocalCluster } from '../scripts/cluster/cluster';
import { SERVICES } from '../scripts/cluster/server-config';
import { QUEUES } from './environment';
import type { LoadShape } from './load';
import { executeTarget, http, interleave, openShape, windowOf, type PhaseRun } from './phases';
import { primeQueue } from './prime';
import type { Service } from './processes';
import { runDriver, type Sample } from './run-driver';
import { startApi, startWorker } from './services';
import { GREETING, GREETING_INPUT, GREETING_OUTPUT, type Target } from './targets';

/** Process names in a sample's `cores` that are the cluster's Temporal services and its PostgreSQL. */
export const CLUSTER_TEMPORAL = SERVICES.map((service) => `cluster-${service}`);
export const CLUSTER_POSTGRES_PREFIX = 'cluster-postgres';

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return children;
}

function clusterWatch(cluster: LocalCluster): Record<string, number> {
  const watch: Record<string, number> = {};
  for (const service of SERVICES) {
    const pid = cluster.service(service)?.child.pid;
    if (pid !== undefined) watch[`cluster-${service}`] = pid;
  }
  const postmaster = cluster.postgres.process()?.child.pid;
  if (postmaster !== undefined) {
    watch[`${CLUSTER_POSTGRES_PREFIX}-0`] = postmaster;
    childrenOf(postmaster).forEach((pid, index) => (watch[`${CLUSTER_POSTGRES_PREFIX}-${index + 1}`] = pid));
  }
  return watch;
}

/** REST execute on the cluster: open loop at the dev server's rate (C1), closed loop (C2, C3, C4). */
export async function clusterPhase(phase: PhaseRun): Promise<void> {
  const { group, settings, log } = phase;
  log('starting the production-shaped cluster (npm run cluster: Temporal services on PostgreSQL)');
  let cluster: LocalCluster;
  try {
    cluster = await startCluster({ logLevel: 'error' });
  } catch (error) {
    // No PostgreSQL or no Go on this machine: the C rows are left out, the rest of the run stands.
    log(`cluster not run (no C rows): ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    return;
  }
  const started: Service[] = [];
  try {
    const [api, worker] = await Promise.all([
      startApi(group, 'api-cluster', cluster.address, QUEUES.execute),
      startWorker(group, 'worker-cluster', cluster.address, QUEUES.execute),
    ]);
    started.push(api.service, worker);
    await primeQueue(cluster.address, QUEUES.execute, GREETING, 4);
    const watch = { ...clusterWatch(cluster), 'api-cluster': api.service.pid };
    const run = (target: Target, shape: LoadShape) => (): Promise<Sample> => runDriver({ target, shape }, watch);
    const rest = http(
      `${api.url}/api/workflows/YourWorkflow/execute`,
      { input: GREETING_INPUT },
      ['result'],
      GREETING_OUTPUT,
    );
    const closed: LoadShape = { kind: 'closed', concurrency: settings.executeConcurrency, ...windowOf(settings) };
    await interleave(
      {
        'cluster.execute-open.rest': run(rest, openShape(settings.executeOpenRate, settings)),
        'cluster.execute.rest': run(rest, closed),
        'cluster.execute.direct': run(executeTarget(cluster.address, QUEUES.execute), closed),
      },
      phase,
    );
  } finally {
    for (const service of started) await group.stop(service);
    await cluster.stop();
  }
}
