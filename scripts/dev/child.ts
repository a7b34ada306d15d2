import { spawn } from 'node:child_process';
import { eachLine } from '../processes';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

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
 * Spawns a command in its own process group, its output handed to `onLine` line by line. A group of its own means
 * a terminal's Ctrl-C reaches it only through us, once, and a wrapper (tsx) and its node child die together.
 */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; onLine: (line: string) => void },
): DevChild {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  eachLine(child.stdout, options.onLine);
  eachLine(child.stderr, options.onLine);

  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (error) => {
      options.onLine(`could not start ${command}: ${error.message}`);
      exit = { code: 127, signal: null };
      resolve(exit);
    });
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  return {
    name,
    pid: child.pid,
    exited,
    async stop(signal, graceMs) {
      if (exit === undefined && child.pid !== undefined) {
        // The leader only: wrappers such as tsx relay the signal to their child exactly once.
        child.kill(signal);
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the leader left behind in its group does not outlive it.
      signalGroup('SIGKILL');
      return exited;
    },
    kill: () => signalGroup('SIGKILL'),
  };
}
