// One way to start, watch and stop child processes, for `npm run dev` (scripts/dev/child.ts), the tests
// (test/helpers/processes.ts) and the benchmark harness (bench/processes.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  /** The child's whole environment: nothing is inherited unless the caller passes it. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Run it in a process group of its own: a terminal's Ctrl-C then reaches it only through us, and stop() or kill()
   * take down whatever it started (a wrapper such as tsx and its node child) with it.
   */
  ownGroup?: boolean;
  /** Called for every line of stdout and stderr, including an unterminated last one. */
  onLine?: (line: string) => void;
  /** Called with every raw chunk of output (e.g. to copy it into a log file). */
  onChunk?: (chunk: Buffer) => void;
}

/** A child process we started, with its output and a bounded way to stop it. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles when the process exits, or with code 127 when it could not start (never rejects). */
  readonly exited: Promise<Exit>;
  /** What it printed so far (stdout and stderr interleaved; the last MiB). */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects with the output so far on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal`; after `graceMs` SIGKILLs it (and its group). Resolves with how it ended and how long that took. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<Exit & { elapsedMs: number }>;
  /** SIGKILLs it (and its group) at once; safe to call at any time, also from an 'exit' handler. */
  kill(): void;
}

const OUTPUT_LIMIT = 1024 * 1024;

/** Starts `command args` with exactly `options.env`, its output captured; see ManagedProcess. */
export function startProcess(name: string, command: string, args: string[], options: StartOptions): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: options.ownGroup ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    options.onChunk?.(chunk);
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  if (options.onLine) {
    eachLine(child.stdout, options.onLine);
    eachLine(child.stderr, options.onLine);
  }

  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit ??= { code, signal };
      resolve(exit);
      for (const listener of listeners) listener();
    });
    child.once('error', (error) => {
      options.onLine?.(`could not start ${command}: ${error.message}`);
      output += `could not start ${command}: ${error.message}\n`;
      exit ??= { code: 127, signal: null };
      resolve(exit);
      for (const listener of listeners) listener();
    });
  });

  const signalAll = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      if (options.ownGroup) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      // ESRCH: already gone.
    }
  };

  return {
    name,
    child,
    exited,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) finish(undefined, line);
          else if (exit !== undefined) finish(`exited (${describeExit(exit)})`);
        };
        const timer = setTimeout(() => finish(`took over ${timeoutMs} ms`), timeoutMs);
        const finish = (why: string | undefined, line?: string): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (why === undefined) resolve(line ?? '');
          else reject(new Error(`${name} ${why} before printing ${pattern}; its output:\n${output.slice(-4000)}`));
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal, graceMs) {
      const startedAt = Date.now();
      if (exit === undefined && child.pid !== undefined) {
        // The leader only: wrappers such as tsx relay the signal to their child exactly once.
        child.kill(signal);
        const timer = setTimeout(() => signalAll('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the leader left behind in its group does not outlive it.
      if (options.ownGroup) signalAll('SIGKILL');
      return { ...(await exited), elapsedMs: Date.now() - startedAt };
    },
    kill: () => signalAll('SIGKILL'),
  };
}

/** "exit code 1" or "signal SIGKILL". */
export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** Calls `onLine` for every line of a stream, including an unterminated last one. */
export function eachLine(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split(/\r?\n/);
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
  });
}

/** A TCP port on the loopback interface that was free a moment ago (the OS picked it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port assigned');
  return address.port;
}

/** Polls an HTTP URL until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}
