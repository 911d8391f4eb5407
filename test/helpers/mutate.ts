/**
 * Inputs for property tests of parsers that read outside input: valid fixtures mutated the ways
 * files and messages really break (a truncated write, a stray quote, a duplicated line, a
 * byte flipped, CRLF, a BOM, NUL, YAML and shell metacharacters). Sizes are bounded so every run
 * is short; fast-check shrinks a failure to its smallest edit list.
 */
import fc from 'fast-check';

const SPECIAL = ["'", '"', '\\', '$', '`', '$(id)', '${X}', '\n', '\r\n', '\r', '\t', ' ', '#', '=', ':', ': ', '-', '- ', '{', '}', '[', ']',
  '&a', '*a', '!!binary', '|', '>', '%', '@', '\u0000', '\uFEFF', '\u2028', 'é', '\uD800', '---\n', '...\n', '<<: *a', 'export ', '?', ',',
  '-----BEGIN CERTIFICATE-----\n', '-----END CERTIFICATE-----\n', '.', '==', '~', 'null', '1e999', '-0', '0x10'];

type Edit =
  | { kind: 'insert'; at: number; s: string }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'replace'; at: number; c: number }
  | { kind: 'dupLine'; at: number }
  | { kind: 'dropLine'; at: number }
  | { kind: 'truncate'; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 24 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), c: fc.integer({ min: 0, max: 0xffff }) }),
  fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : e.at % (text.length + 1);
  switch (e.kind) {
    case 'insert': return text.slice(0, at) + e.s + text.slice(at);
    case 'delete': return text.slice(0, at) + text.slice(at + e.n);
    case 'replace': return text.slice(0, at) + String.fromCharCode(e.c) + text.slice(at + 1);
    case 'truncate': return text.slice(0, at);
    case 'dupLine':
    case 'dropLine': {
      const lines = text.split('\n');
      const i = e.at % lines.length;
      if (e.kind === 'dupLine') lines.splice(i, 0, lines[i] as string);
      else lines.splice(i, 1);
      return lines.join('\n');
    }
  }
}

/** `text` with 1..6 random edits. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => edits.reduce(apply, text));
}

/** Any text up to 2 KB, or a mutation of `text`: the inputs every text parser must survive. */
export function textInput(text: string): fc.Arbitrary<string> {
  return fc.oneof(mutatedText(text), fc.string({ maxLength: 2048, unit: 'binary' }), fc.string({ maxLength: 512 }));
}

/** `bytes` with 1..6 random byte edits (insert, delete, overwrite, truncate). */
export function mutatedBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const byteEdit = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), b: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  return fc.array(byteEdit, { minLength: 1, maxLength: 6 }).map((edits) => {
    let b = Buffer.from(bytes);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % (b.length + 1);
      if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.b), b.subarray(at)]);
      else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.n)]);
      else if (e.kind === 'set') { if (at < b.length) b[at] = e.v; }
      else b = b.subarray(0, at);
    }
    return new Uint8Array(b);
  });
}

/** Any bytes up to 4 KB, or a mutation of one of `valid`. */
export function bytesInput(...valid: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(fc.uint8Array({ maxLength: 4096 }), ...valid.map(mutatedBytes));
}

/** Runs per property: enough to find the shapes above, few enough for a loaded 2-core machine. */
export const RUNS = { numRuns: 300 } as const;
