/**
 * Live log-level changes (general.logLevel on SIGHUP). Every component logs through a child of
 * the root logger, and children share the root's level (src/log.ts), so setting the root's level
 * changes what every component logs, at once.
 */
import type { Logger } from '../log.js';

export interface LevelControl {
  setLevel(level: string): void;
}

export function controlLevels(root: Logger): LevelControl {
  return {
    setLevel(level) {
      root.level = level;
    },
  };
}
