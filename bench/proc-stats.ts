import { readFileSync } from 'node:fs';

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build.
const TICKS_PER_SECOND = 100;

/** CPU seconds a process (all its threads) has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat, to tell our load from other tenants'. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Resident memory of a process in bytes, from /proc/<pid>/status. */
export function processRssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** A CPU snapshot of named processes and the machine; `coresSince` turns two snapshots into cores used. */
export interface CpuSnapshot {
  at: number;
  processes: Record<string, number>;
  machine: { busy: number; total: number };
}

export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot {
  const processes: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    try {
      processes[name] = processCpuSeconds(pid);
    } catch {
      // The process has exited; it used nothing more.
    }
  }
  return { at: performance.now(), processes, machine: machineCpuSeconds() };
}

/** Cores each process used between two snapshots (1.0 = one core fully busy), plus the machine's busy cores. */
export function coresBetween(start: CpuSnapshot, end: CpuSnapshot): Record<string, number> {
  const seconds = (end.at - start.at) / 1000;
  const round = (value: number): number => Math.round((value / seconds) * 100) / 100;
  const cores: Record<string, number> = {};
  for (const [name, cpu] of Object.entries(end.processes)) {
    const before = start.processes[name];
    if (before !== undefined) cores[name] = round(cpu - before);
  }
  cores.machine = round(end.machine.busy - start.machine.busy);
  return cores;
}
