/**
 * Parses cluster.env as `istioctl x workload entry configure` writes it: sorted `KEY=value` lines,
 * each value shell-quoted the way istioctl quotes (a POSIX shell-quote: bare when every character
 * is in `[A-Za-z0-9_@%+=:,./-]`, `''` when empty, else in single quotes with an embedded quote as
 * `'"'"'`; the equivalent `'\''` is accepted too). istio-start.sh sources the file with `set -a`,
 * so double-quoted values, backslash escapes, comments, blank lines and a leading `export` are
 * accepted. What a shell would expand (`$VAR`, `` `cmd` ``) is refused: vmlet does not run a
 * shell, and a silently different value is worse than an error.
 *
 * Pure: text in, values and problems out.
 */
import { problem, type Problem } from './problems.js';

export interface ClusterEnvResult {
  /** KEY -> value with the quoting removed, in file order; a repeated key keeps the last value (as a shell does). */
  readonly values: Record<string, string>;
  /** KEY -> 1-based line, for messages and `vmlet validate --print`. */
  readonly lines: Record<string, number>;
  readonly problems: Problem[];
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HINT = "write KEY=value, or KEY='value' when it has spaces or symbols, as istioctl does";

type Word = { ok: true; value: string; rest: string } | { ok: false; why: string };

/** Reads one shell word from the start of `text`, stopping at unquoted whitespace. */
function readWord(text: string): Word {
  let value = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') break;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { ok: false, why: 'has an unterminated single quote' };
      value += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      let closed = false;
      while (i < text.length) {
        const d = text[i] as string;
        if (d === '"') {
          closed = true;
          i += 1;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' || d === '`') return { ok: false, why: `uses ${d} expansion inside double quotes, which vmlet does not perform` };
        value += d;
        i += 1;
      }
      if (!closed) return { ok: false, why: 'has an unterminated double quote' };
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { ok: false, why: 'ends with a backslash' };
      value += text[i + 1];
      i += 2;
    } else if (c === '$' || c === '`' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>' || c === '(' || c === ')') {
      return { ok: false, why: `has an unquoted ${JSON.stringify(c)}, which a shell would interpret` };
    } else {
      value += c;
      i += 1;
    }
  }
  return { ok: true, value, rest: text.slice(i) };
}

export function parseClusterEnv(text: string, file: string): ClusterEnvResult {
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  const problems: Problem[] = [];
  const all = text.split(/\r?\n/);
  all.forEach((raw, index) => {
    const line = index + 1;
    let body = raw.trim();
    if (body === '' || body.startsWith('#')) return;
    if (body.startsWith('export ') || body.startsWith('export\t')) body = body.slice(7).trimStart();
    const eq = body.indexOf('=');
    if (eq <= 0) {
      // The line is not echoed: a pasted token or key would end up in the terminal and the journal.
      problems.push(problem('VMLET_CLUSTER_ENV_SYNTAX', { file, line, message: `line is not KEY=value (${body.length} characters, no "=" after a name)`, hint: HINT }));
      return;
    }
    const key = body.slice(0, eq);
    if (!KEY_RE.test(key)) {
      problems.push(problem('VMLET_CLUSTER_ENV_SYNTAX', { file, line, key: clip(key), message: 'is not a valid variable name (letters, digits, _; not starting with a digit)', hint: HINT }));
      return;
    }
    const word = readWord(body.slice(eq + 1));
    if (!word.ok) {
      problems.push(problem('VMLET_CLUSTER_ENV_SYNTAX', { file, line, key, message: `value ${word.why}`, hint: HINT }));
      return;
    }
    const rest = word.rest.trim();
    if (rest !== '' && !rest.startsWith('#')) {
      problems.push(problem('VMLET_CLUSTER_ENV_SYNTAX', { file, line, key, message: 'has text after the value (an unquoted space?)', hint: HINT }));
      return;
    }
    if (key in values) {
      problems.push(problem('VMLET_CLUSTER_ENV_SYNTAX', { severity: 'warning', file, line, key, message: `is also set on line ${lines[key]}; the last one wins`, hint: 'remove one of them' }));
      delete values[key];
    }
    values[key] = word.value;
    lines[key] = line;
  });
  return { values, lines, problems };
}

const SAFE_RE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a value the way istioctl writes cluster.env (bare when safe, else single quotes). */
export function quoteClusterEnvValue(value: string): string {
  if (value === '') return "''";
  if (SAFE_RE.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
