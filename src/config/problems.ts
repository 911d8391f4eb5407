/**
 * A configuration problem: what is wrong, where (file, line, key), and what to do. The loader
 * collects every problem before it gives up, so an operator fixes them all in one pass.
 */
import { VmletError } from '../errors.js';
import type { ConfigErrorCode } from './errors.js';

export interface Problem {
  /** A configuration code, or another capability's for a pre-flight finding (src/preflight). */
  readonly code: ConfigErrorCode | (string & {});
  /** `error` stops vmlet (exit 2); `warning` is printed and ignored. */
  readonly severity: 'error' | 'warning';
  /** The file the value came from, when it came from one. */
  readonly file?: string;
  /** 1-based line in `file`, where known. */
  readonly line?: number;
  /** The config key (`general.statusPort`), cluster.env key, mesh.yaml path or flag. */
  readonly key?: string;
  /** What is wrong. Never contains a secret value. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

export function problem(code: ConfigErrorCode, p: Omit<Problem, 'code' | 'severity'> & { severity?: Problem['severity'] }): Problem {
  const out: { -readonly [K in keyof Problem]: Problem[K] } = { code, severity: p.severity ?? 'error', message: p.message, hint: p.hint };
  if (p.file !== undefined) out.file = p.file;
  if (p.line !== undefined) out.line = p.line;
  if (p.key !== undefined) out.key = p.key;
  return Object.freeze(out);
}

/** `FILE:LINE: KEY: message; hint [CODE]` — the shape compilers use, so editors can jump to it. */
export function formatProblem(p: Problem): string {
  const where = p.file === undefined ? '' : `${p.file}${p.line === undefined ? '' : `:${p.line}`}: `;
  const key = p.key === undefined ? '' : `${p.key}: `;
  const level = p.severity === 'warning' ? 'warning: ' : '';
  return `${level}${where}${key}${p.message}; ${p.hint} [${p.code}]`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** One error for a list of problems: exit code 2 via the VMLET_CONFIG_INVALID spec. */
export function problemsError(problems: readonly Problem[]): VmletError {
  const errors = problems.filter((p) => p.severity === 'error');
  const lines = errors.map((p) => `  ${formatProblem(p)}`).join('\n');
  return new VmletError('VMLET_CONFIG_INVALID', `configuration has ${errors.length} problem(s):\n${lines}`, {
    details: { problems: errors },
  });
}
