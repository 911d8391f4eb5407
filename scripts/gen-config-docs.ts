// Regenerates docs/configuration.md from the section descriptors (src/config/sections/*.ts).
// Run after adding or changing a field: `npx tsx scripts/gen-config-docs.ts`.
// `--example FILE` also writes the annotated config.yaml (packaging ships it as /etc/vmlet/config.yaml).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SECTIONS } from '../src/config/schema.js';
import { renderConfigurationDoc, renderExampleConfigYaml } from '../src/config/reference.js';

const { values } = parseArgs({ options: { example: { type: 'string' } } });
const docPath = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(docPath, renderConfigurationDoc(SECTIONS));
process.stdout.write(`wrote ${docPath.pathname}\n`);
if (values.example !== undefined) {
  writeFileSync(values.example, renderExampleConfigYaml(SECTIONS));
  process.stdout.write(`wrote ${values.example}\n`);
}
