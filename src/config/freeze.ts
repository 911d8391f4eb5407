/** Freezes an object graph in place (plain objects and arrays), so no one mutates the config. */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child, seen);
  }
  return value;
}
