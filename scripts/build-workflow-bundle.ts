import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from '../worker/create-worker';

/** Prebuilds the workflow bundle so production workers skip webpack at start-up. */
async function main(): Promise<void> {
  const outputPath = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflows();
  mkdirSync(dirname(outputPath), { recursive: true });
  writeFileSync(outputPath, code);
  process.stdout.write(`workflow bundle: ${outputPath} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
