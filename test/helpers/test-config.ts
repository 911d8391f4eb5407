/**
 * A valid, frozen Config for tests, built by the real loader from the istioctl-shaped fixture
 * (test/fixtures/istio-vm) with overrides passed as command-line flags, so tests never hand-build
 * a Config that the loader could not produce.
 *
 *   testConfig({ general: { statusPort: 0, logLevel: 'debug' } })
 */
import { join } from 'node:path';
import { loadConfigOrThrow } from '../../src/config/index.js';
import type { Config } from '../../src/config/schema.js';

export const ISTIO_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'istio-vm');

type Overrides = { readonly [section: string]: { readonly [key: string]: unknown } };

/** The flags (dotted key → text) that produce `overrides`. */
export function overrideFlags(overrides: Overrides = {}): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const [section, values] of Object.entries(overrides)) {
    for (const [key, value] of Object.entries(values)) {
      flags[`${section}.${key}`] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return flags;
}

export function testConfig(overrides: Overrides = {}): Config {
  return loadConfigOrThrow({
    flags: overrideFlags(overrides),
    env: {},
    istioDir: ISTIO_FIXTURE,
    configPath: join(import.meta.dirname, 'empty-config.yaml'),
  }).config;
}
