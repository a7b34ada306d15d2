import { readFileSync } from 'node:fs';

/**
 * The current parent PID (Linux /proc; undefined elsewhere). Node's `process.ppid` is read once at start-up, so it
 * never shows that the parent died and this process was re-parented.
 */
export function currentParentPid(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `onGone` once if the process that started this one dies (npm killed with SIGKILL, say). */
export function watchParent(onGone: (parentPid: number) => void, intervalMs = 1_000): void {
  const parent = currentParentPid();
  if (parent === undefined || parent <= 1) return;
  const timer = setInterval(() => {
    if (currentParentPid() === parent) return;
    clearInterval(timer);
    onGone(parent);
  }, intervalMs);
  timer.unref();
}
