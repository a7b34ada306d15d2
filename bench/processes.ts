import { createWriteStream, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from '../scripts/processes';

export { freePort, waitForHttp } from '../scripts/processes';

/** A process the harness started; its output goes to a log file, never to the terminal. */
export interface Service extends ManagedProcess {
  pid: number;
  logPath: string;
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

/** Starts, tracks and finally stops every process of one benchmark run. */
export class ProcessGroup {
  private readonly services: Service[] = [];

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Service {
    const logPath = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logPath);
    const process = startProcess(name, command, args, { env, cwd, onChunk: (chunk) => log.write(chunk) });
    void process.exited.then(() => log.end());
    if (process.child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const service: Service = Object.assign(process, { pid: process.child.pid, logPath });
    this.services.push(service);
    return service;
  }

  /** Stops one service: SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(service: Service, graceMs = 5000): Promise<void> {
    const index = this.services.indexOf(service);
    if (index >= 0) this.services.splice(index, 1);
    await service.stop('SIGTERM', graceMs);
  }

  /** Stops every service still running, newest first (clients before the servers they use). */
  async stopAll(): Promise<void> {
    for (const service of [...this.services].reverse()) await this.stop(service);
  }

  /** Kills everything at once without waiting; for an exit in a hurry (Ctrl-C). */
  killAll(): void {
    for (const service of this.services) service.kill();
  }
}
