// proto/generated is protobufjs-cli's output for proto/*.proto (`npm run proto`): a .proto
// changed without regenerating, or a hand edit of the output, fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../scripts/gen-proto.mjs';
import { makeTmpDir } from '../../helpers/tmp-dir.js';

const committed = (ext: string) => readFileSync(new URL(`../../../proto/generated/messages.${ext}`, import.meta.url), 'utf8');

describe('generated protobuf code', () => {
  it('is what protobufjs-cli makes of proto/ now', { timeout: 60_000 }, () => {
    const tmp = makeTmpDir('proto-gen');
    try {
      generate(tmp.join('messages.js'));
      expect(readFileSync(tmp.join('messages.js'), 'utf8'), 'run `npm run proto`').toBe(committed('js'));
      expect(readFileSync(tmp.join('messages.d.ts'), 'utf8'), 'run `npm run proto`').toBe(committed('d.ts'));
    } finally {
      tmp.cleanup();
    }
  });
});
