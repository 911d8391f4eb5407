/**
 * The vocabulary every configuration section is written in. A field knows its type, its default
 * (with the unit or reason in `doc`), the environment variables, cluster.env keys and mesh.yaml
 * path it may come from, and how to parse a raw value from any of them. The loader
 * (./loader.ts) resolves each field by precedence — flags > environment > /etc/vmlet/config.yaml >
 * Istio VM files > default — and records where the value came from; docs/configuration.md is
 * checked against these descriptors by a test.
 *
 * Values are in one unit per kind: durations in milliseconds, sizes in bytes.
 */

export type FieldKind =
  | 'string' | 'int' | 'number' | 'bool' | 'duration' | 'port' | 'hostport' | 'path' | 'enum'
  | 'stringList' | 'intList' | 'stringMap' | 'object';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; why: string };

/** Where a raw value was read: strings come from env, flags and cluster.env; YAML gives typed values. */
export type RawOrigin = 'text' | 'yaml';

export interface Field<T> {
  readonly kind: FieldKind;
  /** One line for the reference: what it is, with the unit. */
  readonly doc: string;
  /** Default value; `undefined` means the option is unset unless given. */
  readonly default: T | undefined;
  /** Why the default is what it is, when not obvious (rendered in the reference). */
  readonly defaultReason?: string;
  /** Environment variables, first wins (vmlet's own VMLET_* name first, then Istio's). */
  readonly env: readonly string[];
  /** Keys read from istioctl's cluster.env, first wins. */
  readonly clusterEnv: readonly string[];
  /** Dotted path inside mesh.yaml (a MeshConfig), e.g. `defaultConfig.discoveryAddress`. */
  readonly mesh?: string;
  /** Never printed: shown as `*****` by --print, /debug/config and logs. */
  readonly secret: boolean;
  /** true when a SIGHUP reload can apply a new value without restarting vmlet (the owner applies it). */
  readonly live: boolean;
  /** For enums: the accepted values. */
  readonly values?: readonly string[];
  /** Parses one raw value; `why` says what is wrong in words an operator can act on. */
  parse(raw: unknown, origin: RawOrigin): ParseResult<T>;
}

export interface FieldOptions<T> {
  doc: string;
  default?: T;
  defaultReason?: string;
  env?: readonly string[];
  clusterEnv?: readonly string[];
  mesh?: string;
  secret?: boolean;
  live?: boolean;
}

type Opt<T> = FieldOptions<T>;
/** A field with a default always has a value; one without may be undefined. */
type Out<T, O> = O extends { default: T } ? T : T | undefined;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function make<T>(kind: FieldKind, o: Opt<T>, parse: Field<T>['parse'], values?: readonly string[]): Field<any> {
  return Object.freeze({
    kind,
    doc: o.doc,
    default: o.default,
    ...(o.defaultReason === undefined ? {} : { defaultReason: o.defaultReason }),
    env: o.env ?? [],
    clusterEnv: o.clusterEnv ?? [],
    ...(o.mesh === undefined ? {} : { mesh: o.mesh }),
    secret: o.secret ?? false,
    live: o.live ?? false,
    ...(values === undefined ? {} : { values }),
    parse,
  });
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const bad = <T>(why: string): ParseResult<T> => ({ ok: false, why });

function asText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

function parseIntStrict(raw: unknown, min: number, max: number): ParseResult<number> {
  const text = asText(raw);
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return bad(`${JSON.stringify(raw)} is not a whole number`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) return bad(`${n} is out of range ${min}..${max}`);
  return ok(n);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Go-style durations ("90s", "1h30m", "500ms"); a bare number in YAML means seconds. */
export function parseDuration(raw: unknown, origin: RawOrigin): ParseResult<number> {
  if (typeof raw === 'number' && origin === 'yaml') {
    return Number.isFinite(raw) && raw >= 0 ? ok(Math.round(raw * 1000)) : bad(`${raw} is not a duration`);
  }
  const text = asText(raw)?.trim();
  if (!text) return bad(`${JSON.stringify(raw)} is not a duration like "30s", "5m" or "1h30m"`);
  if (/^\d+(\.\d+)?$/.test(text)) return ok(Math.round(Number(text) * 1000));
  let total = 0;
  let rest = text;
  const re = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return bad(`${JSON.stringify(text)} is not a duration like "30s", "5m" or "1h30m"`);
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return ok(Math.round(total));
}

function parseBool(raw: unknown): ParseResult<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  const text = asText(raw)?.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes' || text === 'on') return ok(true);
  if (text === 'false' || text === '0' || text === 'no' || text === 'off' || text === '') return ok(false);
  return bad(`${JSON.stringify(raw)} is not true or false`);
}

function parseList(raw: unknown): ParseResult<string[]> {
  if (Array.isArray(raw)) {
    const out: string[] = [];
    for (const item of raw) {
      const t = asText(item);
      if (t === undefined) return bad(`list item ${JSON.stringify(item)} is not a string`);
      out.push(t.trim());
    }
    return ok(out.filter((s) => s.length > 0));
  }
  const text = asText(raw);
  if (text === undefined) return bad(`${JSON.stringify(raw)} is not a list`);
  return ok(text.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
}

/** `host:port`, `[v6]:port`; the port 1..65535. */
export function parseHostPort(raw: unknown): ParseResult<string> {
  const text = asText(raw)?.trim();
  if (!text) return bad('is empty; expected host:port');
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d+)$/.exec(text);
  if (!m) return bad(`${JSON.stringify(text)} is not host:port`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return bad(`port ${port} in ${JSON.stringify(text)} is out of range 1..65535`);
  return ok(text);
}

/**
 * An enum field. Overloads, not Out<V, O>: inside defineSection the options literal is typed from
 * the section's context and a `default` would not be seen, leaving every enum `| undefined`.
 */
function enumField<V extends string>(values: readonly V[], o: Opt<NoInfer<V>> & { default: NoInfer<V> }): Field<V>;
function enumField<V extends string>(values: readonly V[], o: Opt<NoInfer<V>>): Field<V | undefined>;
function enumField<V extends string>(values: readonly V[], o: Opt<V>): Field<V | undefined> {
  return make<V>(
    'enum',
    o,
    (raw) => {
      const t = asText(raw)?.trim();
      return t !== undefined && (values as readonly string[]).includes(t)
        ? ok(t as V)
        : bad(`${JSON.stringify(raw)} is not one of ${values.join(', ')}`);
    },
    values,
  );
}

export const f = {
  string: <O extends Opt<string>>(o: O): Field<Out<string, O>> =>
    make<string>('string', o, (raw) => {
      const t = asText(raw);
      return t === undefined ? bad(`${JSON.stringify(raw)} is not a string`) : ok(t);
    }),
  path: <O extends Opt<string>>(o: O): Field<Out<string, O>> =>
    make<string>('path', o, (raw) => {
      const t = asText(raw)?.trim();
      if (!t) return bad('is empty; expected a file or directory path');
      return t.startsWith('/') ? ok(t) : bad(`${JSON.stringify(t)} is not an absolute path`);
    }),
  int: <O extends Opt<number> & { min?: number; max?: number }>(o: O): Field<Out<number, O>> =>
    make<number>('int', o, (raw) => parseIntStrict(raw, o.min ?? Number.MIN_SAFE_INTEGER, o.max ?? Number.MAX_SAFE_INTEGER)),
  number: <O extends Opt<number> & { min?: number; max?: number }>(o: O): Field<Out<number, O>> =>
    make<number>('number', o, (raw) => {
      const t = asText(raw)?.trim();
      const n = t === undefined || t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) return bad(`${JSON.stringify(raw)} is not a number`);
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
        return bad(`${n} is out of range ${o.min ?? '-inf'}..${o.max ?? 'inf'}`);
      }
      return ok(n);
    }),
  port: <O extends Opt<number>>(o: O): Field<Out<number, O>> => make<number>('port', o, (raw) => parseIntStrict(raw, 0, 65535)),
  bool: <O extends Opt<boolean>>(o: O): Field<Out<boolean, O>> => make<boolean>('bool', o, (raw) => parseBool(raw)),
  duration: <O extends Opt<number>>(o: O): Field<Out<number, O>> => make<number>('duration', o, parseDuration),
  hostport: <O extends Opt<string>>(o: O): Field<Out<string, O>> => make<string>('hostport', o, parseHostPort),
  enumOf: enumField,
  stringList: <O extends Opt<readonly string[]>>(o: O): Field<Out<readonly string[], O>> => make<readonly string[]>('stringList', o, parseList),
  intList: <O extends Opt<readonly number[]> & { min?: number; max?: number }>(o: O): Field<Out<readonly number[], O>> =>
    make<readonly number[]>('intList', o, (raw) => {
      const list = parseList(raw);
      if (!list.ok) return list;
      const out: number[] = [];
      for (const item of list.value) {
        const n = parseIntStrict(item, o.min ?? 0, o.max ?? 65535);
        if (!n.ok) return bad(`item ${n.why}`);
        out.push(n.value);
      }
      return ok(out);
    }),
  stringMap: <O extends Opt<Readonly<Record<string, string>>>>(o: O): Field<Out<Readonly<Record<string, string>>, O>> =>
    make<Readonly<Record<string, string>>>('stringMap', o, (raw) => {
      let value: unknown = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw);
        } catch {
          return bad(`${JSON.stringify(raw)} is not a JSON object of strings`);
        }
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad('is not a map of strings');
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') return bad(`value of ${JSON.stringify(k)} is not a string`);
        out[k] = v;
      }
      return ok(out);
    }),
  /** A structured value (e.g. a probe) checked by the section's own validator. */
  object: <T, O extends Opt<T> & { check: (raw: unknown) => ParseResult<T> }>(o: O): Field<Out<T, O>> =>
    make<T>('object', o, (raw) => {
      let value: unknown = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw);
        } catch {
          return bad('is not valid JSON');
        }
      }
      return o.check(value);
    }),
};

export type FieldValue<F> = F extends Field<infer T> ? T : never;

/**
 * A problem a section's cross-field check found: `key` is the field (in this section) the operator
 * should change; the loader adds the file and line that value came from.
 */
export interface SectionProblem {
  readonly key: string;
  /** What is wrong, e.g. `drainGrace (30s) is longer than shutdownTimeout (25s)`. Never a secret's value. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/** A named group of fields; `config.<name>.<field>` in the frozen config and in config.yaml. */
export interface Section<S extends Record<string, Field<unknown>>> {
  readonly name: string;
  readonly doc: string;
  readonly fields: S;
  /**
   * Optional cross-field check, run after every field parsed: contradictory options. It receives
   * this section's values and all sections' values plus `istio` (the IstioInputs), read-only, and
   * returns every problem.
   */
  // A method signature (bivariant) so a concrete section still fits `Section<Record<string, Field<unknown>>>`.
  check?(values: SectionValue<S>, all: Readonly<Record<string, Readonly<Record<string, unknown>>>>): readonly SectionProblem[];
}

export type SectionValue<S extends Record<string, Field<unknown>>> = {
  readonly [K in keyof S]: FieldValue<S[K]>;
};

export interface SectionOptions<S extends Record<string, Field<unknown>>> {
  check?(values: SectionValue<S>, all: Readonly<Record<string, Readonly<Record<string, unknown>>>>): readonly SectionProblem[];
}

export function defineSection<S extends Record<string, Field<unknown>>>(
  name: string,
  doc: string,
  fields: S,
  options: SectionOptions<S> = {},
): Section<S> {
  return Object.freeze({ name, doc, fields: Object.freeze(fields), ...(options.check ? { check: options.check } : {}) });
}
