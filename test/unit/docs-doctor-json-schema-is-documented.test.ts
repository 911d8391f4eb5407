// `vmlet doctor --json` is stable and documented: the report's and each check's fields, the check
// ids and their order are pinned here, and docs/doctor.md lists exactly those ids and fields.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor, CHECK_IDS } from '../../src/doctor/index.js';
import { doctorContext } from '../helpers/doctor-context.js';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/doctor.md'), 'utf8');
const REPORT_FIELDS = ['schema', 'vmlet', 'ok', 'uid', 'agentRunning', 'startedAt', 'durationMs', 'summary', 'checks'];
const CHECK_FIELDS = ['id', 'status', 'saw', 'cause', 'fix', 'timeoutMs', 'durationMs', 'data'];

/** First-column backticked names of the markdown table that follows `heading`. */
function tableNames(heading: string): string[] {
  const start = DOC.indexOf(heading);
  expect(start, heading).toBeGreaterThan(-1);
  const rows = DOC.slice(start).split('\n').slice(1);
  const out: string[] = [];
  let inTable = false;
  for (const row of rows) {
    if (row.startsWith('|')) { inTable = true; const m = /^\| `([^`]+)` \|/.exec(row); if (m) out.push(m[1]!); } else if (inTable) break;
  }
  return out;
}

describe('vmlet doctor --json', () => {
  it('has the pinned fields and check ids, in order, with statuses from the documented set', async () => {
    const ctx = await doctorContext(join(import.meta.dirname, '../fixtures/istio-vm'), { 'istiod.caAddress': 'istiod.vmlet-test.invalid:15012' });
    const r = await runDoctor(ctx, 'test');
    expect(Object.keys(r)).toEqual(REPORT_FIELDS);
    expect(r.schema).toBe(1);
    expect(r.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    for (const c of r.checks) {
      for (const k of Object.keys(c)) expect(CHECK_FIELDS, `${c.id}.${k}`).toContain(k);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      if (c.status === 'warn' || c.status === 'fail') expect(c.cause && c.fix, c.id).toBeTruthy();
    }
    expect(Object.keys(r.summary).sort()).toEqual(['fail', 'pass', 'skip', 'warn']);
    expect(r.ok).toBe(r.summary.fail === 0);
  }, 20_000);

  it('docs/doctor.md documents every check id and every field, and nothing else', () => {
    expect(tableNames('## Checks')).toEqual([...CHECK_IDS]);
    expect(tableNames('Report fields:')).toEqual(REPORT_FIELDS);
    expect(tableNames('Check fields:')).toEqual(CHECK_FIELDS);
  });
});
