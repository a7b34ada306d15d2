import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runLoad } from '../load';
import { DOCS_BEGIN, DOCS_END, replaceGeneratedBlock, type BenchResult } from '../report';
import { openTarget } from '../targets';

const ROOT = join(__dirname, '..', '..');
const EVERY_MEASURE = [
  'B1',
  'B2',
  'B3 p50',
  'B3 p99',
  'B4',
  'B5',
  'B6',
  'B7',
  'B8',
  'B9 p50',
  'B9 throughput',
  'B10',
  'B11',
  'B12',
  'B13',
  'B14 io 2÷1',
  'B14 io 4÷1',
  'B14 cpu 2÷1',
  'B14 cpu 4÷1',
  'B15',
  'B16',
  'B16 cost',
  'D all',
  'C1',
  'C2',
  'C3',
  'C4',
];

/** Runs `npm run bench:quick`'s harness from sources; resolves with its exit code and output. */
function runQuickBench(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', outDir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('bench harness, quick mode (asserts that it works, not how fast)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it(
    'measures B1–B16 and the dev-server settings against real servers and writes the JSON, the table and the chart',
    { timeout: 600_000 },
    async () => {
      const { code, output } = await runQuickBench(outDir);
      assert.equal(code, 0, `bench exited ${code}:\n${output.slice(-3000)}`);

      const result = JSON.parse(readFileSync(join(outDir, 'result.json'), 'utf8')) as BenchResult;
      assert.equal(result.mode, 'quick');
      for (const id of EVERY_MEASURE) {
        const measure = result.measures.find((m) => m.id === id);
        assert.ok(measure, `measure ${id} is missing`);
        assert.ok(Number.isFinite(measure.value) && measure.value > 0, `${id} has no figure: ${measure.value}`);
        assert.ok(measure.why.length > 20, `${id} says nothing about why`);
        if (measure.target) assert.equal(typeof measure.met, 'boolean', `${id} has a target but no verdict`);
      }
      // Every request of every load got the right answer (a greeting, a run ID), so the figures are of real work.
      for (const [variant, samples] of Object.entries(result.samples)) {
        for (const sample of samples) {
          assert.equal(sample.errors, 0, `${variant}: ${sample.firstError}`);
          assert.ok(sample.completed > 0, `${variant} completed nothing`);
          assert.ok(sample.cores.machine !== undefined, `${variant} has no CPU sample`);
        }
      }
      assert.ok(result.memory.workflows >= 1);
      assert.deepEqual(result.ready.map((r) => r.mode).sort(), ['bundle', 'sources']);
      assert.ok(result.versions.node?.startsWith('v'));
      assert.match(result.versions['temporal CLI (dev server)'] ?? '', /Server \d/);
      const fileFlags = result.devServerFlags.file.join(' ');
      assert.match(fileFlags, /--db-filename \S+ --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=off/);
      assert.ok(!result.devServerFlags.memory.includes('--db-filename'));
      // One execute step by step, before (Temporal's defaults) and after (our settings), from real histories.
      const timelines = result.devSettings?.timelines ?? [];
      assert.deepEqual(timelines.map((t) => t.variant).sort(), ['defaults', 'ours']);
      for (const timeline of timelines) {
        assert.ok(timeline.count >= 1 && timeline.totalMs > 0, `${timeline.variant} timeline is empty`);
        for (const step of ['hand-off: workflow task to worker', 'worker: activity', 'API: run closed to answer'])
          assert.ok(
            timeline.steps.some((s) => s.step === step),
            `${timeline.variant} timeline has no "${step}"`,
          );
      }
      // Progress: every subscriber got events after its first, and the counter saw the API's calls.
      for (const window of result.progress?.windows ?? []) {
        assert.ok(window.eventsPerSubscriber >= 1, `${window.subscribers} subscribers received no progress event`);
        assert.ok(window.callsPerSec > 0);
      }

      const markdown = readFileSync(join(outDir, 'result.md'), 'utf8');
      for (const id of EVERY_MEASURE) assert.ok(markdown.includes(`| ${id} |`), `table row ${id} is missing`);
      const chart = readFileSync(join(outDir, 'chart.svg'), 'utf8');
      assert.match(chart, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      for (const id of ['B1', 'B4', 'B9 p50', 'B12', 'B14 io 4÷1'])
        assert.ok(chart.includes(`>${id}<`), `chart has no bar for ${id}`);
      assert.ok(chart.includes('>B10 (÷ 40 ms)<'), 'chart has no bar for B10');
      for (const heading of [
        '### Dev-server settings, side by side',
        '### One execute, step by step',
        '### Progress streams',
      ])
        assert.ok(markdown.includes(heading), `result.md has no "${heading}"`);
    },
  );
});

describe('bench load generator', () => {
  it('sends exactly rate × window in an open loop and counts only the window', async () => {
    let served = 0;
    const server = createServer((req, res) => {
      served += 1;
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ runId: 'r' })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const target = await openTarget(
      { kind: 'http', url: `http://127.0.0.1:${port}/`, body: {}, expect: { path: ['runId'] } },
      16,
    );
    try {
      const result = await runLoad(target.send, {
        kind: 'open',
        ratePerSec: 100,
        maxInFlight: 64,
        warmupMs: 200,
        durationMs: 500,
      });
      assert.equal(result.errors, 0);
      assert.ok(Math.abs(result.completed - 50) <= 1, `counted ${result.completed} of 50 due in the window`);
      assert.ok(Math.abs(served - 70) <= 1, `served ${served}, expected 70 due over warm-up and window`);
      assert.equal(result.latency.count, result.completed);
      assert.ok(result.latency.p50 > 0 && result.latency.p50 <= result.latency.p99);
    } finally {
      await target.close();
      server.close();
    }
  });

  it('counts wrong answers as errors', async () => {
    const server = createServer((_req, res) => res.end(JSON.stringify({ other: 1 })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const target = await openTarget(
      { kind: 'http', url: `http://127.0.0.1:${port}/`, body: {}, expect: { path: ['runId'] } },
      2,
    );
    try {
      const result = await runLoad(target.send, { kind: 'closed', concurrency: 2, warmupMs: 50, durationMs: 200 });
      assert.equal(result.completed, 0);
      assert.ok(result.errors > 0);
      assert.match(result.firstError ?? '', /HTTP 200/);
    } finally {
      await target.close();
      server.close();
    }
  });

  it('rewrites only the generated block of docs/benchmarks.md', () => {
    const page = `# Benchmarks\nintro\n${DOCS_BEGIN}\nold\n${DOCS_END}\nfindings\n`;
    const updated = replaceGeneratedBlock(page, 'new\n');
    assert.equal(updated, `# Benchmarks\nintro\n${DOCS_BEGIN}\nnew\n${DOCS_END}\nfindings\n`);
  });
});
