// Turns CustomResourceDefinitions into the JSON schemas kubeconform reads, one file per served version, at
// <out>/<group>/<kind>_<version>.json (kubeconform: -schema-location '<out>/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json').
// Strict like kubeconform's own Kubernetes schemas: an object that lists its properties admits no others, unless
// the CRD says it keeps unknown fields. Used by scripts/validate-deploy.sh for KEDA's ScaledObject.
//   node --import tsx scripts/crd-json-schema.ts <out-dir> <crd.yaml>...
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
  };
}

/** The schema with `additionalProperties: false` added wherever properties are listed and nothing else is said. */
export function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const result: Schema = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, strict(value)]));
  const keepsUnknown = result['x-kubernetes-preserve-unknown-fields'] === true;
  if (result.properties && !('additionalProperties' in result) && !keepsUnknown) result.additionalProperties = false;
  return result;
}

function main(outDir: string, files: string[]): void {
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = document.toJS() as Crd | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      const { group, names, versions } = crd.spec;
      for (const version of versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema || version.served === false) continue;
        const dir = join(outDir, group);
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${names.kind.toLowerCase()}_${version.name}.json`);
        writeFileSync(path, `${JSON.stringify(strict(schema), null, 2)}\n`);
        process.stdout.write(`${path}\n`);
      }
    }
  }
}

if (require.main === module) {
  const [outDir, ...files] = process.argv.slice(2);
  if (!outDir || files.length === 0) {
    process.stderr.write('usage: crd-json-schema.ts <out-dir> <crd.yaml>...\n');
    process.exit(2);
  }
  main(outDir, files);
}
