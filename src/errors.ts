/**
 * One error class for every failure an operator acts on, each with a stable code.
 *
 * Capabilities declare their codes in `src/<capability>/errors.ts` with `defineErrors` and the
 * registry below merges them; docs/errors.md lists every code and a test checks that the two agree
 * both ways. Decisions (retry? exit code?) live in small predicates beside the errors, never in
 * string matching on messages.
 */

/** Exit codes, documented in the README. */
export const EXIT_OK = 0;
/** Any failure that is not the operator's input. */
export const EXIT_FAILURE = 1;
/** Bad input or configuration: nothing was changed. */
export const EXIT_BAD_INPUT = 2;

export interface ErrorSpec {
  /** What the code means, one line (the docs table's text). */
  readonly summary: string;
  /** true when the cause is the operator's input: exit code 2, never retried. */
  readonly badInput?: boolean;
  /** true when retrying the same call later may succeed. */
  readonly retryable?: boolean;
}

export type ErrorCatalog = Readonly<Record<string, ErrorSpec>>;

export class VmletError extends Error {
  override readonly name = 'VmletError';
  readonly code: string;
  /** Structured, secret-free details for logs and status (file, key, line, ...). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options?.details ?? {}) });
  }
}

const registry = new Map<string, ErrorSpec>();

/** Adds a capability's codes; a code defined twice is a programming error. */
export function registerErrors(catalog: ErrorCatalog): void {
  for (const [code, spec] of Object.entries(catalog)) {
    if (registry.has(code)) throw new Error(`error code ${code} registered twice`);
    if (!/^VMLET_[A-Z0-9_]+$/.test(code)) throw new Error(`error code ${code} must match VMLET_[A-Z0-9_]+`);
    registry.set(code, spec);
  }
}

/**
 * A capability's codes, each with its one-line summary, grouped by what the code means for the
 * caller: `badInput` (the operator's input: exit 2, never retried), `retryable` (the same call
 * may succeed later), `other` (exit 1, not retried).
 */
export interface ErrorGroups {
  readonly badInput?: Readonly<Record<string, string>>;
  readonly retryable?: Readonly<Record<string, string>>;
  readonly other?: Readonly<Record<string, string>>;
}

type CodesOf<G extends ErrorGroups> = { [K in keyof G]: keyof G[K] }[keyof G] & string;

/** Registers a capability's codes (src/<capability>/errors.ts) and returns them as a catalog keyed by code. */
export function defineErrors<const G extends ErrorGroups>(groups: G): Readonly<Record<CodesOf<G>, ErrorSpec>> {
  const catalog: Record<string, ErrorSpec> = {};
  const add = (codes: Readonly<Record<string, string>> | undefined, kind: Omit<ErrorSpec, 'summary'>) => {
    for (const [code, summary] of Object.entries(codes ?? {})) {
      if (code in catalog) throw new Error(`error code ${code} is in two groups`);
      catalog[code] = { summary, ...kind };
    }
  };
  add(groups.badInput, { badInput: true });
  add(groups.retryable, { retryable: true });
  add(groups.other, {});
  registerErrors(catalog);
  return catalog as Record<CodesOf<G>, ErrorSpec>;
}

export function errorSpec(code: string): ErrorSpec | undefined {
  return registry.get(code);
}

export function allErrorCodes(): ReadonlyMap<string, ErrorSpec> {
  return registry;
}

export function isVmletError(err: unknown, code?: string): err is VmletError {
  return err instanceof VmletError && (code === undefined || err.code === code);
}

export function isRetryable(err: unknown): boolean {
  return err instanceof VmletError && errorSpec(err.code)?.retryable === true;
}

export function isBadInput(err: unknown): boolean {
  return err instanceof VmletError && errorSpec(err.code)?.badInput === true;
}

/** The process exit code for an error that ends a command. */
export function exitCodeFor(err: unknown): number {
  return isBadInput(err) ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

/** Codes shared by every capability. */
export const COMMON_ERRORS = defineErrors({
  badInput: {
    VMLET_USAGE: 'The command line is wrong: see `vmlet <command> --help`.',
  },
  other: {
    VMLET_INTERNAL: 'A bug in vmlet: please report it with the log line.',
  },
});
