import { startProcess, type Exit } from '../processes';

export type { Exit } from '../processes';

/** One supervised process of `npm run dev`. */
export interface DevChild {
  readonly name: string;
  /** Its process ID, which is also its process group's (undefined if it could not be started). */
  readonly pid: number | undefined;
  /** Settles when the process exits (never rejects). */
  readonly exited: Promise<Exit>;
  /** Asks the process to stop with `signal`; after `graceMs` kills its whole process group. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<Exit>;
  /** Kills the process group at once; safe to call at any time, also from an 'exit' handler. */
  kill(): void;
}

/**
 * Spawns a command in its own process group (scripts/processes.ts, the one spawner), its output handed to `onLine`
 * line by line. A group of its own means a terminal's Ctrl-C reaches it only through us, once, and a wrapper (tsx)
 * and its node child die together.
 */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; onLine: (line: string) => void },
): DevChild {
  const child = startProcess(name, command, args, { ...options, ownGroup: true });
  return {
    name,
    pid: child.child.pid,
    exited: child.exited,
    stop: (signal, graceMs) => child.stop(signal, graceMs),
    kill: () => child.kill(),
  };
}
