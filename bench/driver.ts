// A load generator in its own process, so that its CPU is not the measured server's: forked by the harness,
// it receives one job over IPC, reports the measurement window's edges, then the result, and exits.
import { runLoad, type LoadResult, type LoadShape } from './load';
import { openTarget, type Target } from './targets';

export interface DriverJob {
  target: Target;
  shape: LoadShape;
}

export type DriverMessage =
  | { event: 'window-start' }
  | { event: 'window-end' }
  | { event: 'result'; result: LoadResult }
  | { event: 'failed'; error: string };

function tell(message: DriverMessage): void {
  process.send?.(message);
}

async function drive(job: DriverJob): Promise<void> {
  const sockets = job.shape.kind === 'closed' ? job.shape.concurrency : job.shape.maxInFlight;
  const target = await openTarget(job.target, sockets);
  try {
    const result = await runLoad(target.send, job.shape, {
      onWindowStart: () => tell({ event: 'window-start' }),
      onWindowEnd: () => tell({ event: 'window-end' }),
    });
    tell({ event: 'result', result });
  } finally {
    await target.close();
  }
}

process.once('message', (job: DriverJob) => {
  drive(job)
    .catch((error: unknown) => tell({ event: 'failed', error: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.disconnect());
});
