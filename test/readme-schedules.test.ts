import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { listen, useTestServer, withApi } from './helpers/api';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** The first sh block after `heading` in the README. */
function shellBlockUnder(readme: string, heading: string): string {
  const section = readme.indexOf(`\n${heading}\n`);
  assert.ok(section >= 0, `README has no section ${heading}`);
  const start = readme.indexOf('```sh\n', section) + '```sh\n'.length;
  return readme.slice(start, readme.indexOf('```', start));
}

describe('README "Schedules": the curl lines work as written', () => {
  const server = useTestServer();

  it('runs every line against the API (auth off, as with npm run dev); each answers 2xx', () =>
    withApi(server, async ({ app }) => {
      const script = shellBlockUnder(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## Schedules');
      assert.match(script, /localhost:3000\/api\/schedules/);
      const listening = await listen(app);
      // curl reads $CURL_HOME/.curlrc: any 4xx or 5xx answer fails the line, and so the script (set -e).
      const curlHome = mkdtempSync(join(tmpdir(), 'curl-home-'));
      writeFileSync(join(curlHome, '.curlrc'), 'fail-with-body\nsilent\nshow-error\n');
      try {
        const { stdout } = await run(
          'bash',
          ['-euo', 'pipefail', '-c', script.replaceAll('localhost:3000', listening.baseUrl.replace('http://', ''))],
          { env: { PATH: '/usr/local/bin:/usr/bin:/bin', CURL_HOME: curlHome }, timeout: 60_000 },
        );
        assert.match(stdout, /"scheduleId":"greet"/);
        assert.match(stdout, /"times":\["2030-01-07T08:00:00.000Z"/);
        assert.match(stdout, /"deleted":true/);
      } finally {
        rmSync(curlHome, { recursive: true, force: true });
        await listening.close();
      }
    }));
});
