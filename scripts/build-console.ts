// Bundles the web console (console/) into dist/console: one ES module, its page and its styles. No CDN, no hashes.
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, context, stop, type BuildOptions } from 'esbuild';

const ROOT = resolve(__dirname, '..', ...(resolve(__dirname, '..').endsWith('dist') ? ['..'] : []));
const SOURCE = resolve(ROOT, 'console');
const STATIC_FILES = ['index.html', 'styles.css'];

/** Where the bundle goes; the API serves this directory at /. */
export const CONSOLE_OUT_DIR = resolve(ROOT, 'dist', 'console');

function options(outDir: string): BuildOptions {
  return {
    entryPoints: [resolve(SOURCE, 'main.ts')],
    outfile: resolve(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'static-files',
        setup(on) {
          on.onEnd(() => {
            for (const file of STATIC_FILES) copyFileSync(resolve(SOURCE, file), resolve(outDir, file));
          });
        },
      },
    ],
  };
}

/** Builds the console once. */
export async function buildConsole(outDir: string = CONSOLE_OUT_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build(options(outDir));
}

/** Builds the console and rebuilds it on every change under console/ (for `npm run dev`); stopConsoleBuilds() ends it. */
export async function watchConsole(outDir: string = CONSOLE_OUT_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const watcher = await context(options(outDir));
  await watcher.rebuild();
  await watcher.watch();
}

/** Ends esbuild's helper process, so that nothing of a stopped `npm run dev` outlives it. */
export async function stopConsoleBuilds(): Promise<void> {
  await stop();
}

if (require.main === module) {
  buildConsole().catch((error: unknown) => {
    process.stderr.write(`console build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
