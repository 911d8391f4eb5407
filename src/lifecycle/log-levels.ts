/**
 * Live log-level changes (general.logLevel on SIGHUP). pino child loggers copy their parent's
 * level when they are made and do not follow later changes, and every component logs through a
 * child. So the root's `child()` is wrapped to remember each child (weakly, so a dropped child is
 * collected) and a level change is applied to all of them.
 */
import type { Logger } from '../log.js';

export interface LevelControl {
  setLevel(level: string): void;
}

export function controlLevels(root: Logger): LevelControl {
  const children = new Set<WeakRef<Logger>>();
  const track = (logger: Logger) => {
    const makeChild = logger.child.bind(logger);
    logger.child = ((bindings: Parameters<Logger['child']>[0], options?: Parameters<Logger['child']>[1]) => {
      const child = makeChild(bindings, options) as unknown as Logger;
      children.add(new WeakRef(child));
      track(child);
      return child;
    }) as unknown as Logger['child'];
  };
  track(root);
  return {
    setLevel(level) {
      root.level = level;
      for (const ref of children) {
        const child = ref.deref();
        if (child === undefined) children.delete(ref);
        else child.level = level;
      }
    },
  };
}
