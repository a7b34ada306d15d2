// The dev runner's last line of defence: stops its process groups when the runner dies without doing so itself
// (SIGKILL, a crash, an out-of-memory kill). Nothing in a process dies with its parent by default, and the Temporal
// dev server (a Go binary) has no way to notice; this process notices for it.
//
// Started by the runner before any child, in a session of its own (a terminal's Ctrl-C does not reach it), with
// stdin a pipe from the runner. The runner writes `+<pgid> <name>` when it starts a process group and `-<pgid>` once
// that group has ended. End of file on stdin means the runner is gone: every group still listed gets SIGTERM, then
// SIGKILL after GRACE_MS, and this process exits.
import { setTimeout as sleep } from 'node:timers/promises';
import { printLine } from './output';

const GRACE_MS = 10_000;
const POLL_MS = 100;

const groups = new Map<number, string>();
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^([+-])(\d+)(?: (.*))?$/.exec(line);
    if (!match) continue;
    if (match[1] === '+') groups.set(Number(match[2]), match[3] ?? 'process');
    else groups.delete(Number(match[2]));
  }
});
process.stdin.on('end', () => void reap());
// The runner's terminal may be gone by now: a line that cannot be written is not worth dying for.
process.stdout.on('error', () => undefined);

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in that group.
  }
}

async function reap(): Promise<void> {
  const left = [...groups].filter(([pgid]) => signalGroup(pgid, 0));
  if (left.length === 0) process.exit(0);
  const names = left.map(([pgid, name]) => `${name} (pid ${pgid})`).join(', ');
  printLine('dev', `the dev runner ended without stopping its processes; stopping ${names}`);
  for (const [pgid] of left) signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && left.some(([pgid]) => signalGroup(pgid, 0))) await sleep(POLL_MS);
  for (const [pgid] of left) signalGroup(pgid, 'SIGKILL');
  process.exit(0);
}
