// Validates compose files against the Compose Specification's JSON schema (compose-go's schema/compose-spec.json,
// from the Go module proxy: scripts/validate-deploy.sh fetches it), after YAML anchors and merge keys are resolved as
// compose resolves them. Prints one line per file; exits 1 with the errors if any file is invalid.
//   node --import tsx scripts/validate-compose.ts <compose-spec.json> <compose.yaml>...
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';

function main(schemaPath: string, files: string[]): void {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // The spec's own formats (duration, ports, expose) are compose-go's checks, not JSON Schema's: structure only.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  let failed = false;
  for (const file of files) {
    const document: unknown = parse(readFileSync(file, 'utf8'), { merge: true });
    if (validate(document)) {
      process.stdout.write(`${file}: valid (Compose Specification)\n`);
      continue;
    }
    failed = true;
    for (const error of validate.errors ?? [])
      process.stdout.write(
        `${file}: ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}\n`,
      );
  }
  if (failed) process.exit(1);
}

const [schemaPath, ...files] = process.argv.slice(2);
if (!schemaPath || files.length === 0) {
  process.stderr.write('usage: validate-compose.ts <compose-spec.json> <compose.yaml>...\n');
  process.exit(2);
}
main(schemaPath, files);
