import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../scripts/temporal-dev-server';

/** The README's section on the embedded server, up to the next heading of its level or above. */
function embeddedServerSection(): string {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const start = readme.indexOf('### The embedded Temporal server');
  assert.ok(start >= 0, 'README has no "The embedded Temporal server" section');
  const rest = readme.slice(start + 1);
  const end = rest.search(/\n#{1,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('the embedded dev server settings', () => {
  it('are each explained in the README with the value scripts/temporal-dev-server.ts gives them', () => {
    const section = embeddedServerSection();
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) {
      const row = rows.find((line) => line.includes(`\`${key}\``));
      assert.ok(row, `README's settings table has no row for ${key}`);
      assert.ok(row.includes(`\`${String(value)}\``), `README gives ${key} another value than ${String(value)}`);
    }
    assert.equal(
      rows.length,
      Object.keys(DEV_SERVER_DYNAMIC_CONFIG).length - 1,
      'one row per setting (partitions share one)',
    );
  });
});
