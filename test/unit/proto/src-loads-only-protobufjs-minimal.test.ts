// The agent encodes every message with the static code generated from proto/*.proto, which needs
// only protobufjs/minimal at run time. Full `protobufjs` (reflection, the .proto parser and code
// compiled at run time) costs megabytes of idle RSS and tens of ms (proto/README.md): any import
// of it from src/, static or dynamic, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../../src', import.meta.url).pathname;
/** The generated messages src/ imports (npm run proto). */
const GENERATED = new URL('../../../proto/generated', import.meta.url).pathname;
const FULL = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]protobufjs(?:\/(?!minimal(?:\.js)?['"])[^'"]*)?['"]/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|js|mjs|cjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('src/ and protobufjs', () => {
  it('imports only protobufjs/minimal, and so does the generated code it imports', () => {
    const found = [...files(SRC), ...files(GENERATED)].flatMap((f) => [...readFileSync(f, 'utf8').matchAll(FULL)].map((m) => `${relative(SRC, f)}: ${m[0]}`));
    expect(found).toEqual([]);
    expect(readFileSync(join(GENERATED, 'messages.js'), 'utf8')).toMatch(/from\s+["']protobufjs\/minimal(?:\.js)?["']/);
  });

  it('the pattern catches the imports it is meant to', () => {
    const hits = (text: string) => [...text.matchAll(FULL)].length;
    expect(hits("import protobuf from 'protobufjs';")).toBe(1);
    expect(hits("const p = await import('protobufjs/light.js');")).toBe(1);
    expect(hits('import { Root } from "protobufjs";')).toBe(1);
    expect(hits("import protobuf from 'protobufjs/minimal.js';")).toBe(0);
    expect(hits("import $protobuf from \"protobufjs/minimal\";")).toBe(0);
  });
});
