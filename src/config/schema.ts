/**
 * The whole configuration: one section per capability, each owned by that capability's
 * section file, plus the raw Istio inputs. The loader resolves every field of every section.
 */
import type { Field, Section, SectionValue } from './field.js';
import type { IstioInputs } from './istio-inputs.js';
import { generalSection } from './sections/general.js';
import { istiodSection } from './sections/istiod.js';
import { identitySection } from './sections/identity.js';
import { captureSection } from './sections/capture.js';
import { envoySection } from './sections/envoy.js';
import { sdsSection } from './sections/sds.js';
import { nodeSection } from './sections/node.js';
import { xdsSection } from './sections/xds.js';
import { healthSection } from './sections/health.js';
import { dnsSection } from './sections/dns.js';
import { onboardingSection } from './sections/onboarding.js';

export const SECTIONS: readonly Section<Record<string, Field<unknown>>>[] = [
  generalSection,
  istiodSection,
  identitySection,
  captureSection,
  envoySection,
  sdsSection,
  nodeSection,
  xdsSection,
  healthSection,
  dnsSection,
  onboardingSection,
];

type V<S> = S extends Section<infer F> ? SectionValue<F> : never;

export interface Config {
  readonly istio: IstioInputs;
  readonly general: V<typeof generalSection>;
  readonly istiod: V<typeof istiodSection>;
  readonly identity: V<typeof identitySection>;
  readonly capture: V<typeof captureSection>;
  readonly envoy: V<typeof envoySection>;
  readonly sds: V<typeof sdsSection>;
  readonly node: V<typeof nodeSection>;
  readonly xds: V<typeof xdsSection>;
  readonly health: V<typeof healthSection>;
  readonly dns: V<typeof dnsSection>;
  readonly onboarding: V<typeof onboardingSection>;
}
