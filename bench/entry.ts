import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

// The harness runs either compiled (npm run bench: node bench/dist/bench/run.js) or from sources under tsx (the smoke
// test). Its own child processes run the same way, so a comparison never pits compiled code against tsx.
const compiled = __filename.endsWith('.js');

/** How node runs one of the harness's own entry files (e.g. 'driver'): the file and node's own flags. */
export function benchEntry(name: string): { file: string; execArgv: string[] } {
  return { file: join(__dirname, `${name}${compiled ? '.js' : '.ts'}`), execArgv: compiled ? [] : ['--import', 'tsx'] };
}

/** Node's argument list for spawning a harness entry as a plain process. */
export function benchEntryArgs(name: string, args: string[] = []): string[] {
  const { file, execArgv } = benchEntry(name);
  return [...execArgv, file, ...args];
}

/** Forks a harness entry with an IPC channel (the load drivers and the measuring workers). */
export function forkBenchEntry(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): ChildProcess {
  const { file, execArgv } = benchEntry(name);
  return fork(file, args, { execArgv: [...nodeArgs, ...execArgv], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

/** The repository root, from bench/ or from bench/dist/bench/. */
export const REPO_ROOT = compiled ? join(__dirname, '..', '..', '..') : join(__dirname, '..');

/** The harness's own package (bench/), whose node_modules hold the peers it compares against. */
export const BENCH_ROOT = join(REPO_ROOT, 'bench');
