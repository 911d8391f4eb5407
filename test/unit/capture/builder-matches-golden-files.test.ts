import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planText } from '../../../src/capture/plan-text.js';
import { GOLDEN_CASES } from './golden-cases.js';

const DIR = join(import.meta.dirname, '..', '..', 'golden', 'capture');

describe('capture builder golden files (UPDATE_GOLDEN=1 rewrites them; review the diff against reference §2.4)', () => {
  for (const [name, options] of Object.entries(GOLDEN_CASES)) {
    it(name, () => {
      const file = join(DIR, `${name}.golden`);
      const text = planText(options);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, text);
      expect(existsSync(file), `${file} missing: run UPDATE_GOLDEN=1`).toBe(true);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
