/**
 * What changed between two loaded configurations, for SIGHUP reloads: each changed key with its
 * old and new value (secrets as `*****`) and whether its field can be applied live. The runtime
 * logs the list, applies the live ones and reports the rest as needing a restart. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Field, Section } from './field.js';
import type { Config } from './schema.js';
import { SECTIONS } from './schema.js';
import { formatValue, REDACTED } from './redact.js';

type AnySection = Section<Record<string, Field<unknown>>>;

export interface ConfigChange {
  /** `section.key`, or `istio.<part>` for the Istio VM files. */
  readonly key: string;
  readonly before: string;
  readonly after: string;
  /** true when the field is marked `live`; Istio inputs always need a restart. */
  readonly live: boolean;
}

export function diffConfig(before: Config, after: Config, sections: readonly AnySection[] = SECTIONS): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const a = before as unknown as Record<string, Record<string, unknown>>;
  const b = after as unknown as Record<string, Record<string, unknown>>;
  for (const section of sections) {
    for (const [name, field] of Object.entries(section.fields)) {
      const x = a[section.name]?.[name];
      const y = b[section.name]?.[name];
      if (isDeepStrictEqual(x, y)) continue;
      changes.push({ key: `${section.name}.${name}`, before: formatValue(field, x), after: formatValue(field, y), live: field.live });
    }
  }
  for (const part of ['clusterEnv', 'proxyConfig', 'rootCertPem', 'tokenPath', 'hosts', 'dir'] as const) {
    if (isDeepStrictEqual(before.istio[part], after.istio[part])) continue;
    // Istio inputs may hold credentials (XDS_HEADER_*): say that they changed, not to what.
    const shown = part === 'tokenPath' || part === 'dir' ? (v: unknown) => String(v ?? '(none)') : () => REDACTED;
    changes.push({ key: `istio.${part}`, before: shown(before.istio[part]), after: shown(after.istio[part]), live: false });
  }
  return changes;
}
