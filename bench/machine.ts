import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, homedir, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH_ROOT, REPO_ROOT } from './entry';

export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  kernel: string;
  loadAverageAtStart: number[];
}

export function machineInfo(): MachineInfo {
  return {
    nproc: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** A package's installed version: the harness's own packages first, then the service's. */
function packageVersion(name: string): string {
  for (const root of [BENCH_ROOT, REPO_ROOT]) {
    try {
      const json = readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8');
      return (JSON.parse(json) as { version: string }).version;
    } catch {
      // Not in this one.
    }
  }
  return 'not installed';
}

/** Versions of everything on the measured path, so that a reader can tell whether their figures are comparable. */
export function versions(temporalCli: string, restateServer: string | undefined): Record<string, string> {
  let cli = 'unknown';
  try {
    cli = execFileSync(temporalCli, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown.
  }
  return {
    node: process.version,
    '@temporalio/client': packageVersion('@temporalio/client'),
    '@temporalio/worker': packageVersion('@temporalio/worker'),
    'temporal CLI (dev server)': `${cli} — ${temporalCli.replace(REPO_ROOT, '.').replace(homedir(), '~')}`,
    express: packageVersion('express'),
    '@trpc/server': packageVersion('@trpc/server'),
    'trpc-to-openapi': packageVersion('trpc-to-openapi'),
    zod: packageVersion('zod'),
    'restate-server': restateServer ?? 'not run',
    '@restatedev/restate-sdk': packageVersion('@restatedev/restate-sdk'),
  };
}
