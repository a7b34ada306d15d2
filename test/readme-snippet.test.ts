import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '..');

/** The first TypeScript block after `heading` in the README. */
function snippetUnder(readme: string, heading: string): string {
  const section = readme.indexOf(`\n${heading}\n`);
  assert.ok(section >= 0, `README has no section ${heading}`);
  const start = readme.indexOf('```ts\n', section);
  assert.ok(start >= 0, `no TypeScript block under ${heading}`);
  const body = start + '```ts\n'.length;
  return readme.slice(body, readme.indexOf('```', body));
}

describe('README frontend snippet', () => {
  it('is examples/frontend/src/readme-snippet.ts, which CI typechecks as a project outside this repository', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const compiled = readFileSync(join(ROOT, 'examples', 'frontend', 'src', 'readme-snippet.ts'), 'utf8');
    assert.equal(snippetUnder(readme, '## From a typed frontend (tRPC)'), compiled);
  });
});
