// Makes the Kubernetes JSON schemas of PyPI's kubernetes-validate readable by kubeconform. Its schemas point into a
// shared `/api/_definitions.json`, which kubeconform cannot resolve; this writes each resource kind's schema with
// the definitions it reaches embedded under `$defs` (kubeconform's `-standalone` layout: <kind>-<group>-<version>.json).
// Used by scripts/validate-deploy.sh.
//   node --import tsx scripts/k8s-json-schema.ts <kubernetes-validate schema dir, e.g. …/v1.35.0-local-strict> <out-dir>
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Schema = Record<string, unknown>;
const SHARED = '/api/_definitions.json#/$defs/';

function main(sourceDir: string, outDir: string): void {
  const definitions = (JSON.parse(readFileSync(join(sourceDir, '_definitions.json'), 'utf8')) as { $defs: Schema })
    .$defs;
  const local = (text: string): string => text.replaceAll(`"${SHARED}`, '"#/$defs/');
  const localDefinitions = JSON.parse(local(JSON.stringify(definitions))) as Schema;
  const refsOf = (value: unknown): string[] =>
    [...JSON.stringify(value).matchAll(/"#\/\$defs\/([^"]+)"/g)].map((match) => match[1] ?? '');

  mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const file of readdirSync(sourceDir)) {
    if (!file.endsWith('.json') || file.startsWith('_') || file === 'all.json') continue;
    const schema = JSON.parse(local(readFileSync(join(sourceDir, file), 'utf8'))) as Schema;
    const properties = schema.properties as Schema | undefined;
    // Resources only (they carry apiVersion and kind); kubeconform never asks for the parts.
    if (!properties?.apiVersion || !properties.kind) continue;
    const reached = new Set<string>();
    const pending = refsOf(schema);
    while (pending.length > 0) {
      const name = pending.pop() ?? '';
      if (reached.has(name)) continue;
      reached.add(name);
      pending.push(...refsOf(localDefinitions[name]));
    }
    const $defs = Object.fromEntries([...reached].sort().map((name) => [name, localDefinitions[name]]));
    writeFileSync(join(outDir, file), JSON.stringify({ ...schema, $defs }));
    written += 1;
  }
  process.stdout.write(`${written} resource schemas in ${outDir}\n`);
}

const [sourceDir, outDir] = process.argv.slice(2);
if (!sourceDir || !outDir) {
  process.stderr.write('usage: k8s-json-schema.ts <schema-dir> <out-dir>\n');
  process.exit(2);
}
main(sourceDir, outDir);
