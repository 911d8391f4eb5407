// docs/configuration.md is generated from the section descriptors; this fails when a field was
// added or changed without re-running the generator. The example config.yaml, uncommented, is
// accepted by the loader with exactly the defaults.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readerFromMap } from '../../../src/config/file-reader.js';
import { loadConfig, SECTIONS } from '../../../src/config/index.js';
import { renderConfigurationDoc, renderExampleConfigYaml } from '../../../src/config/reference.js';

describe('configuration reference', () => {
  it('docs/configuration.md matches the code (else run: npx tsx scripts/gen-config-docs.ts)', () => {
    const onDisk = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(onDisk, 'docs/configuration.md is stale: run `npx tsx scripts/gen-config-docs.ts` and commit it').toBe(renderConfigurationDoc(SECTIONS));
  });

  it('names every key, its environment variables, cluster.env keys and mesh.yaml path', () => {
    const doc = renderConfigurationDoc(SECTIONS);
    for (const section of SECTIONS) {
      for (const [name, field] of Object.entries(section.fields)) {
        const row = doc.split('\n').find((l) => l.startsWith(`| \`${section.name}.${name}\` |`));
        expect(row, `${section.name}.${name}`).toBeDefined();
        for (const n of [...field.env, ...field.clusterEnv, ...(field.mesh ? [field.mesh] : [])]) expect(row).toContain(`\`${n}\``);
      }
    }
  });

  it('the annotated example config.yaml, with every key uncommented, loads with the defaults', () => {
    const example = renderExampleConfigYaml(SECTIONS);
    const uncommented = example.replace(/^ {2}# ([a-z][A-Za-z0-9]*:(?: .*)?)$/gm, '  $1');
    expect(uncommented).not.toBe(example);
    const path = '/etc/vmlet/config.yaml';
    const fromExample = loadConfig({ reader: readerFromMap({ [path]: uncommented }) });
    expect(fromExample.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const defaults = loadConfig({ reader: readerFromMap({}) });
    expect(fromExample.config).toEqual(defaults.config);
    for (const section of SECTIONS) {
      for (const [name, field] of Object.entries(section.fields)) {
        const source = fromExample.sources[`${section.name}.${name}`];
        expect(source, `${section.name}.${name}`).toMatch(field.default === undefined || field.secret ? /^default$/ : /^config\.yaml:line \d+$/);
      }
    }
  });
});
