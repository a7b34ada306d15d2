import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A child process under test, with everything it printed (stdout and stderr, interleaved). */
export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects with the output so far if it exits or times out. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Sends `signal` and resolves with the exit code and how long the exit took; SIGKILLs it after `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<{ code: number | null; elapsedMs: number }>;
}

/**
 * Spawns `node <args>` with exactly `env` (nothing inherited: the test decides the whole configuration).
 * Call stop() in after(), so that a failing test leaves no process behind.
 */
export function spawnNode(name: string, args: string[], env: Record<string, string>): RunningProcess {
  return spawnProcess(name, process.execPath, args, env);
}

/** Spawns any executable (the temporal CLI, for the fault tests) the way spawnNode spawns node. */
export function spawnProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): RunningProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    listeners.forEach((listener) => listener());
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    child,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line === undefined) return;
          done();
          resolve(line);
        };
        const fail = (why: string) => (): void => {
          done();
          reject(new Error(`${name} ${why} before printing ${pattern}; its output:\n${output}`));
        };
        const timer = setTimeout(fail(`took over ${timeoutMs} ms`), timeoutMs);
        const onExit = fail('exited');
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal, timeoutMs) {
      const startedAt = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, elapsedMs: 0 };
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, elapsedMs: Date.now() - startedAt };
    },
  };
}

/** A TCP port that was free a moment ago (the OS picked it); good enough for a test process to listen on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address !== 'object') throw new Error('no port assigned');
  return address.port;
}
