import { ProcessGroup } from './processes';

/**
 * A process group for one run, its logs in `logDir`, whose processes are killed if the run is interrupted (SIGINT,
 * SIGTERM; exit 130), so that no server or worker outlives it. `release()` removes the signal handlers again.
 */
export function interruptibleGroup(logDir: string): { group: ProcessGroup; release(): void } {
  const group = new ProcessGroup(logDir);
  const abort = (): void => {
    group.killAll();
    process.exit(130);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    group,
    release() {
      process.removeListener('SIGINT', abort);
      process.removeListener('SIGTERM', abort);
    },
  };
}
