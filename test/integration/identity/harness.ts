/**
 * Test wiring for the identity capability against the istiod simulator: a config loaded by the
 * real loader from the simulator's istioctl-shaped directory, a real StatusCenter and metrics,
 * and a logger whose lines are captured (to prove the token never reaches them).
 */
import { PassThrough } from 'node:stream';
import { loadConfigOrThrow } from '../../../src/config/index.js';
import type { Deps } from '../../../src/deps.js';
import { createIdentity, type IdentityCapability } from '../../../src/identity/index.js';
import { createIstiodConnector } from '../../../src/istiod/index.js';
import { systemClock, type Clock } from '../../../src/lifecycle/index.js';
import { createLogger } from '../../../src/log.js';
import { MetricsRegistry, StatusCenter } from '../../../src/status/index.js';
import { EMPTY_CONFIG } from '../../helpers/vmlet-process.js';

/** The identity component's status line (detail), or undefined. */
export function statusOf(run: Running): { state: string; detail: string } | undefined {
  return run.center.snapshot().components.find((c) => c.name === 'identity');
}

export interface Running {
  readonly identity: IdentityCapability;
  readonly center: StatusCenter;
  readonly metrics: MetricsRegistry;
  /** Errors the identity run ended with (bad input before the first certificate). */
  readonly ended: unknown[];
  readonly logs: string[];
  /** Runs the components (with `deferRun`; otherwise they run from the start). */
  start(): void;
  stop(): Promise<void>;
}

/** Starts createIdentity(deps) for `istioDir` with `flags` (dotted key → text); `deferRun`: not until start(). */
export function runIdentity(istioDir: string, flags: Record<string, string>, opts: { beforeFirstCall?: Promise<void>; clock?: Clock; deferRun?: boolean } = {}): Running {
  const config = loadConfigOrThrow({ flags: { 'identity.keyAlgorithm': 'ECDSA', ...flags }, env: {}, istioDir, configPath: EMPTY_CONFIG }).config;
  const logs: string[] = [];
  const sink = new PassThrough();
  sink.setEncoding('utf8').on('data', (d: string) => logs.push(d));
  const logger = createLogger({ level: 'debug', format: 'json', destination: sink });
  const center = new StatusCenter();
  const metrics = new MetricsRegistry();
  const deps: Deps = { config, logger, clock: opts.clock ?? systemClock, gates: center.gates, status: center, events: center.events, metrics };
  const identity = createIdentity(deps, { connect: (c) => createIstiodConnector(deps, c), ...(opts.beforeFirstCall ? { beforeFirstCall: opts.beforeFirstCall } : {}) });
  const abort = new AbortController();
  // A run that ends on bad input (no certificate yet) is what some tests wait for: kept, not thrown.
  const ended: unknown[] = [];
  let done: Promise<unknown> = Promise.resolve();
  const start = () => { done = Promise.all((identity.components ?? []).map((c) => c.run(abort.signal).catch((err: unknown) => { ended.push(err); }))); };
  if (opts.deferRun !== true) start();
  return {
    identity,
    center,
    metrics,
    ended,
    logs,
    start,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
