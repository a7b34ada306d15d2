import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';

/** True when nothing accepts connections on 127.0.0.1:`port`. */
export async function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** PIDs of live processes whose environment contains `marker` (Linux /proc); finds orphans a test left behind. */
export function processesWithEnvContaining(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return pids;
}

/** PIDs and command lines of the live children of `pid` (Linux /proc). */
export function childProcesses(pid: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: `pid (comm) state ppid …`; comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== pid || state === 'Z') continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      children.push({ pid: Number(entry), command });
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** Polls until `check` returns true; false if `timeoutMs` passes first. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A spawned process whose stdout and stderr are collected, with a way to wait for a line of output. */
export interface Watched {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output once `pattern` matches it; rejects on timeout or if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has exited; rejects on timeout. */
  exited(timeoutMs: number): Promise<number | string>;
}

/** Spawns `command` and watches its output. */
export function spawnWatched(command: string, args: string[], options: Parameters<typeof spawn>[2]): Watched {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  let exitedAlready = false;
  void exit.then(() => (exitedAlready = true));

  const within = <T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms ${what}\n${text}`)), timeoutMs);
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });

  return {
    child,
    output: () => text,
    waitFor: (pattern, timeoutMs) =>
      within(
        new Promise<string>((resolve, reject) => {
          const check = (): void => {
            if (pattern.test(text)) return resolve(text);
            if (exitedAlready) return reject(new Error(`exited before printing ${pattern}\n${text}`));
            setTimeout(check, 100);
          };
          check();
        }),
        timeoutMs,
        `waiting for ${pattern}`,
      ),
    exited: (timeoutMs) => within(exit, timeoutMs, 'waiting for exit'),
  };
}
