import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtBundlePath, bundleWorkflows } from '../worker/create-worker';

/**
 * Prebuilds the workflow bundles so production workers skip webpack at start-up: one without the OpenTelemetry
 * workflow interceptor (the default) and one with it (workers that export traces). Usage: build-workflow-bundle [dir].
 */
async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? 'dist');
  mkdirSync(dir, { recursive: true });
  for (const traced of [false, true]) {
    const outputPath = builtBundlePath(traced, dir);
    const { code } = await bundleWorkflows(undefined, { traced });
    writeFileSync(outputPath, code);
    process.stdout.write(`workflow bundle: ${outputPath} (${(code.length / 1024).toFixed(0)} KiB)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
