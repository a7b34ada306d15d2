import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REAPER = resolve(__dirname, 'reaper.ts');

/** The runner's side of scripts/dev/reaper.ts: tells it which process groups to stop should the runner die. */
export interface Guard {
  /** A group the reaper stops if the runner dies. */
  adopt(pgid: number, name: string): void;
  /** A group that has ended: the reaper forgets it (its number may be reused). */
  release(pgid: number): void;
  /** Ends the reaper (all groups released) and waits for it, so that nothing of ours outlives the runner. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts the reaper (node with tsx as an import, in a session of its own) before any child exists. */
export function startGuard(options: { cwd: string; env: NodeJS.ProcessEnv }): Guard {
  const reaper = spawn(process.execPath, ['--import', 'tsx', REAPER], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  // It must outlive us, and it must not keep us alive: the pipe's end of file is its signal.
  reaper.unref();
  const exited = new Promise<void>((resolve) => {
    reaper.once('exit', () => resolve());
    reaper.once('error', () => resolve());
  });
  reaper.stdin.on('error', () => undefined);
  const send = (line: string): void => {
    if (reaper.stdin.writable) reaper.stdin.write(`${line}\n`);
  };
  return {
    adopt: (pgid, name) => send(`+${pgid} ${name.replace(/\s+/g, '-')}`),
    release: (pgid) => send(`-${pgid}`),
    async close(timeoutMs) {
      reaper.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
  };
}
