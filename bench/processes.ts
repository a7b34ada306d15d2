import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the harness started; its output goes to a log file, never to the terminal. */
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  logPath: string;
  /** Resolves with the first output line that matches, or rejects when the process exits first or time runs out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

/**
 * Children get an explicit environment, not ours: a TEMPORAL_ADDRESS in the caller's shell must not point the
 * benchmark's API at some other server.
 */
export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: homedir(),
    NODE_ENV: 'production',
    ...vars,
  };
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts, tracks and finally stops every process of one benchmark run. */
export class ProcessGroup {
  private readonly services: Service[] = [];

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Service {
    const logPath = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logPath);
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let seen = '';
    const waiters = new Set<() => void>();
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      // Keep only the tail: readiness lines are short and arrive early.
      seen = (seen + chunk.toString('utf8')).slice(-64_000);
      for (const wake of waiters) wake();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      log.end();
      for (const wake of waiters) wake();
    });
    const waitForLine = (pattern: RegExp, timeoutMs: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`${name}: no ${pattern} within ${timeoutMs} ms (${logPath})`)),
          timeoutMs,
        );
        const check = (): void => {
          const line = seen.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) finish(undefined, line);
          else if (child.exitCode !== null || child.signalCode !== null)
            finish(new Error(`${name} exited (${child.exitCode ?? child.signalCode}); see ${logPath}`));
        };
        const finish = (error?: Error, line?: string): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(line ?? '');
        };
        waiters.add(check);
        check();
      });
    const service: Service = { name, child, pid: child.pid, logPath, waitForLine };
    this.services.push(service);
    return service;
  }

  /** Stops one service: SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(service: Service, graceMs = 5000): Promise<void> {
    const index = this.services.indexOf(service);
    if (index >= 0) this.services.splice(index, 1);
    const { child } = service;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
    if (timedOut) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Stops every service still running, newest first (clients before the servers they use). */
  async stopAll(): Promise<void> {
    for (const service of [...this.services].reverse()) await this.stop(service);
  }

  /** Kills everything at once without waiting; for an exit in a hurry (Ctrl-C). */
  killAll(): void {
    for (const service of this.services) service.child.kill('SIGKILL');
  }
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
