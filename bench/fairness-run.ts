// `npm run bench:fairness` (add `-- --quick` for a smoke run): B16's phase alone, for a look at fairness without
// the whole run. Prints the rows; `npm run bench` measures the same phase among the others and publishes it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fairnessPhase } from './fairness-phase';
import { fairnessRows } from './measures';
import type { Log } from './phases';
import { interruptibleGroup } from './interrupt';
import { temporalCliPath } from './services';
import { parseRunOptions } from './settings';

async function main(log: Log): Promise<void> {
  const { settings, outDir } = parseRunOptions(process.argv.slice(2));
  const dir = outDir ?? mkdtempSync(join(tmpdir(), 'bench-fairness-'));
  const { group } = interruptibleGroup(join(dir, 'logs'));
  try {
    log(`starting two dev servers (fairness on and off), their APIs and workers (logs in ${dir}/logs)`);
    const result = await fairnessPhase(group, temporalCliPath(), settings, log);
    for (const row of fairnessRows(result)) process.stdout.write(`\n${row.id}: ${row.value}\n${row.why}\n`);
  } finally {
    await group.stopAll();
  }
}

if (require.main === module) {
  main((line) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)).catch(
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
