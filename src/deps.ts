/**
 * What main.ts hands every capability's `create<Capability>(deps)` factory. Leaf modules take
 * only the parts they need; nothing reads globals.
 */
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import type { Clock } from './lifecycle/types.js';
import type { Events, Gates, Metrics, StatusBoard } from './status/types.js';

export interface Deps {
  readonly config: Config;
  /** The root logger; capabilities make a child with `{ component }`. */
  readonly logger: Logger;
  readonly clock: Clock;
  readonly gates: Gates;
  readonly status: StatusBoard;
  readonly events: Events;
  readonly metrics: Metrics;
}
