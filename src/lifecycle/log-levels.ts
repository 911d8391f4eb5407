/**
 * Live log-level changes (general.logLevel on SIGHUP). pino child loggers copy their parent's
 * level when they are made and do not follow later changes, and every component logs through a
 * child. So the root's `child()` is replaced by one that remembers each child (weakly, so a
 * dropped child is collected), and a level change is applied to all of them. pino makes a child
 * with Object.create(parent), so children (and theirs) inherit the replacement and call it with
 * themselves as `this`: bindings are kept at every depth.
 */
import type { Logger } from '../log.js';

export interface LevelControl {
  setLevel(level: string): void;
}

type ChildFn = (this: Logger, bindings: Parameters<Logger['child']>[0], options?: Parameters<Logger['child']>[1]) => Logger;

export function controlLevels(root: Logger): LevelControl {
  const children = new Set<WeakRef<Logger>>();
  const pinoChild = root.child as unknown as ChildFn;
  const child: ChildFn = function (this: Logger, bindings, options) {
    const made = pinoChild.call(this, bindings, options);
    children.add(new WeakRef(made));
    return made;
  };
  root.child = child as unknown as Logger['child'];
  return {
    setLevel(level) {
      root.level = level;
      for (const ref of children) {
        const made = ref.deref();
        if (made === undefined) children.delete(ref);
        else made.level = level;
      }
    },
  };
}
